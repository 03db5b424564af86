"""Isolation (DESIGN §4): every portal view with an id answers another driver's id with 404,
changes nothing, and so cannot be used to probe ids; signed-out visitors are sent to sign in;
staff get only their own things in the portal too."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from backoffice.accounts.models import IdToken
from backoffice.audit.models import AuditEvent
from backoffice.portal.models import DriverSession

from .conftest import signed_in

pytestmark = pytest.mark.django_db

SESSION_VIEWS = [
    ("get", "portal:session", {}),
    ("get", "portal:session_card", {}),
    ("get", "portal:session_series", {}),
    ("post", "portal:session_stop", {}),
    ("post", "portal:session_limits", {"energy_kwh": "20"}),
]
TOKEN_VIEWS = [
    ("get", "portal:token", {}),
    ("post", "portal:token", {"label": "Mine now"}),
    ("post", "portal:token_block", {}),
    ("post", "portal:token_unblock", {}),
]
PAGES = [
    "portal:home",
    "portal:home_sessions",
    "portal:start",
    "portal:sessions",
    "portal:tokens",
    "portal:notifications",
    "portal:profile",
]


@pytest.mark.parametrize(("method", "name", "data"), SESSION_VIEWS)
def test_another_drivers_session_is_not_found(client, driver, other_session, method, name, data):
    url = reverse(name, args=[other_session.pk])
    response = getattr(signed_in(client, driver), method)(url, data)
    assert response.status_code == 404
    assert DriverSession.objects.get(transaction=other_session).has_limit is False
    assert not AuditEvent.objects.filter(actor=driver).exists()


@pytest.mark.parametrize(("method", "name", "data"), TOKEN_VIEWS)
def test_another_drivers_token_is_not_found(client, driver, other_driver, method, name, data):
    token = other_driver.id_tokens.get()
    response = getattr(signed_in(client, driver), method)(reverse(name, args=[token.pk]), data)
    assert response.status_code == 404
    token.refresh_from_db()
    assert (token.status, token.label) == (IdToken.Status.ACCEPTED, "")


@pytest.mark.parametrize(("method", "name", "data"), SESSION_VIEWS)
def test_a_missing_session_is_not_found_the_same_way(client, driver, method, name, data):
    response = getattr(signed_in(client, driver), method)(reverse(name, args=[999999]), data)
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "name", "data"), SESSION_VIEWS)
def test_staff_see_no_drivers_session_in_the_portal(
    client, operator, driver_session, method, name, data
):
    response = getattr(signed_in(client, operator), method)(
        reverse(name, args=[driver_session.pk]), data
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_for_a_driver_and_for_staff_who_charge(client, driver, operator, name):
    for user in (driver, operator):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 200, (user, name)


def test_signed_out_posts_change_nothing(client, driver_session, driver):
    token = driver.id_tokens.get()
    for url in (
        reverse("portal:session_stop", args=[driver_session.pk]),
        reverse("portal:token_block", args=[token.pk]),
        reverse("portal:notifications_read"),
    ):
        assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.status == IdToken.Status.ACCEPTED
