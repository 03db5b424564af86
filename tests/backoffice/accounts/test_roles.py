"""Roles and site scopes (DESIGN §4): who is staff, which sites, who may command."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from backoffice.accounts import roles
from backoffice.accounts.models import StaffProfile
from tests.factories.accounts import StaffProfileFactory, UserFactory
from tests.factories.stations import SiteFactory

pytestmark = pytest.mark.django_db


def test_a_superuser_is_an_admin_of_every_site_without_a_profile(admin_user):
    access = roles.access_for(admin_user)
    assert (access.role, access.site_ids, access.can_command) == (roles.ADMIN, None, True)


def test_a_user_without_a_profile_is_a_driver_with_no_staff_access(driver):
    access = roles.access_for(driver)
    assert access.role == roles.DRIVER
    assert not access.is_staff
    assert not access.can_command


@pytest.mark.parametrize("user", [AnonymousUser(), None], ids=["anonymous", "none"])
def test_nobody_signed_in_has_no_access(user):
    access = roles.access_for(user)
    assert access.role == roles.NOBODY
    assert not access.is_staff


def test_an_inactive_member_of_staff_has_no_access(operator):
    operator.is_active = False
    operator.save()
    assert roles.access_for(operator).role == roles.NOBODY


def test_an_operator_limited_to_sites_sees_those_sites_only():
    north, south = SiteFactory(), SiteFactory()
    SiteFactory()
    user = StaffProfileFactory(sites=[north, south]).user
    access = roles.access_for(user)
    assert access.site_ids == {north.pk, south.pk}
    assert access.can_command


def test_staff_without_sites_or_all_sites_see_nothing():
    user = StaffProfileFactory(all_sites=False, role="viewer").user
    access = roles.access_for(user)
    assert access.is_staff
    assert access.site_ids == frozenset()
    assert not access.can_command


def test_an_admin_by_role_sees_every_site_even_with_sites_chosen():
    user = StaffProfileFactory(role="admin", sites=[SiteFactory()]).user
    assert roles.access_for(user).site_ids is None


@pytest.mark.parametrize("who", ["operator", "viewer"])
def test_all_sites_staff_see_every_site(request, who):
    access = roles.access_for(request.getfixturevalue(who))
    assert access.site_ids is None
    assert access.can_command == (who == "operator")


def test_the_role_is_read_once_per_user_object(operator, django_assert_num_queries):
    roles.access_for(operator)
    with django_assert_num_queries(0):
        roles.access_for(operator)


# --- admin ---------------------------------------------------------------------------------


def test_a_users_role_and_sites_are_edited_on_the_user_page(admin_client):
    user = UserFactory(username="new-operator")
    site = SiteFactory()
    page = admin_client.get(f"/admin/auth/user/{user.pk}/change/")
    assert page.status_code == 200
    assert b"staff_profile-TOTAL_FORMS" in page.content
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "username": "new-operator",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "staff_profile-TOTAL_FORMS": "1",
            "staff_profile-INITIAL_FORMS": "0",
            "staff_profile-MIN_NUM_FORMS": "0",
            "staff_profile-MAX_NUM_FORMS": "1",
            "staff_profile-0-role": "operator",
            "staff_profile-0-sites": [str(site.pk)],
            "staff_profile-0-user": str(user.pk),
        }
    )
    data.pop("password", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = admin_client.post(f"/admin/auth/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    profile = StaffProfile.objects.get(user=user)
    assert (profile.role, list(profile.sites.all()), profile.all_sites) == (
        "operator",
        [site],
        False,
    )


def test_the_user_list_shows_the_staff_role(admin_client, operator):
    response = admin_client.get("/admin/auth/user/", {"staff_profile__role": "operator"})
    assert response.status_code == 200
    assert [user.username for user in response.context["cl"].result_list] == ["operator"]
    assert b"Operator" in response.content
