"""An API token dies with the password it was obtained with, however the password changes."""

from __future__ import annotations

import pytest
from allauth.account.adapter import get_adapter
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories.accounts import USER_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "another-long-enough-password"


@pytest.fixture
def user_with_token():
    user = UserFactory(username="scripted", is_staff=True, is_superuser=True)
    return user, Token.objects.create(user=user)


def _token_works(token: Token) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client.get("/api/v1/stations/").status_code == 200


def test_allauth_s_password_change_revokes_the_token(user_with_token):
    user, token = user_with_token
    assert _token_works(token)
    client = Client()
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": USER_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not Token.objects.filter(user=user).exists()
    assert not _token_works(token)


def test_a_password_reset_revokes_the_token(user_with_token):
    user, token = user_with_token
    get_adapter().set_password(user, NEW_PASSWORD)  # what allauth's reset-from-key does
    assert not _token_works(token)


def test_an_admin_setting_the_password_revokes_the_token(user_with_token):
    user, token = user_with_token
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not _token_works(token)


def test_a_save_that_changes_no_password_keeps_the_token(user_with_token):
    user, token = user_with_token
    user.first_name = "Renamed"
    user.save()
    assert _token_works(token)
