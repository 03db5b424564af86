"""API tokens: obtained with a password, then accepted on every API request."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories.accounts import USER_PASSWORD
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_a_user_trades_their_password_for_their_token(operator):
    response = APIClient().post(TOKEN_URL, {"username": "operator", "password": USER_PASSWORD})
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=operator).key}
    again = APIClient().post(TOKEN_URL, {"username": "operator", "password": USER_PASSWORD})
    assert again.json() == response.json()


def test_a_wrong_password_gets_no_token(operator):
    response = APIClient().post(TOKEN_URL, {"username": "operator", "password": "wrong"})
    assert response.status_code == 400
    assert not Token.objects.exists()


def test_a_token_authenticates_api_requests(operator):
    StationFactory(identity="CP-TOKEN")
    token = Token.objects.create(user=operator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/stations/")
    assert response.status_code == 200
    assert [row["identity"] for row in response.json()["results"]] == ["CP-TOKEN"]


def test_a_bad_token_is_401(operator):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/stations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_signed_in_browser_session_works_too(client, viewer):
    client.force_login(viewer)
    assert client.get("/api/v1/stations/").status_code == 200
    # The browsable API renders for a browser.
    StationFactory(identity="CP-BROWSER")
    page = client.get("/api/v1/stations/CP-BROWSER/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert b"CP-BROWSER" in page.content
    command_page = client.get("/api/v1/stations/CP-BROWSER/commands/", HTTP_ACCEPT="text/html")
    assert command_page.status_code == 200


def test_a_session_post_needs_the_csrf_token(viewer):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(viewer)
    StationFactory(identity="CP-CSRF")
    response = client.post("/api/v1/stations/CP-CSRF/commands/reset/", {"hard": True})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
