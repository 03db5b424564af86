"""One sign-in policy for the pages (allauth), Django admin and the API token endpoint: keyed on
the client's address as TRUSTED_PROXIES allow, never on a header the client sends, and no
stranger locks a real user out of their usual place."""

from __future__ import annotations

import time
import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

from backoffice.accounts.services import sign_in_policy
from tests.factories.accounts import USER_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
PAGES_URL = "/accounts/login/"
ADMIN_URL = "/admin/login/"
WRONG = "not-the-password"


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def api_sign_in(address: str, username: str, password: str, **headers: str) -> int:
    response = APIClient(REMOTE_ADDR=address).post(
        TOKEN_URL, {"username": username, "password": password}, headers=headers
    )
    return response.status_code


def pages_sign_in(address: str, login: str, password: str) -> bool:
    client = Client(REMOTE_ADDR=address)
    client.post(PAGES_URL, {"login": login, "password": password})
    return "_auth_user_id" in client.session


def admin_sign_in(address: str, username: str, password: str) -> tuple[bool, str]:
    client = Client(REMOTE_ADDR=address)
    response = client.post(ADMIN_URL, {"username": username, "password": password})
    return "_auth_user_id" in client.session, response.content.decode()


def test_the_token_endpoint_answers_429_past_the_limit_whatever_x_forwarded_for_says(
    settings, root
):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 5
    for _ in range(5):
        forged = {"X-Forwarded-For": f"203.0.113.{uuid.uuid4().int % 250}"}
        assert api_sign_in("10.1.0.1", f"user-{uuid.uuid4().hex}", WRONG, **forged) == 400
    response = APIClient(REMOTE_ADDR="10.1.0.1").post(
        TOKEN_URL,
        {"username": "root", "password": USER_PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.99"},
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"].startswith(str(sign_in_policy.TOO_MANY_ATTEMPTS))
    assert api_sign_in("10.1.0.2", "root", USER_PASSWORD) == 200


def test_admin_login_is_refused_past_the_limit_and_says_why(settings, root):
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = 3
    for _ in range(3):
        signed_in, _ = admin_sign_in("10.2.0.1", "root", WRONG)
        assert not signed_in
    signed_in, page = admin_sign_in("10.2.0.1", "root", USER_PASSWORD)
    assert not signed_in
    assert "Too many failed sign-ins" in page
    assert admin_sign_in("10.2.0.2", "root", USER_PASSWORD)[0]


def test_failures_on_pages_admin_and_api_count_together(settings, root):
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = 5
    assert not pages_sign_in("10.3.0.1", "root", WRONG)
    assert not pages_sign_in("10.3.0.1", "root", WRONG)
    assert not admin_sign_in("10.3.0.1", "root", WRONG)[0]
    assert not admin_sign_in("10.3.0.1", "root", WRONG)[0]
    assert api_sign_in("10.3.0.1", "root", WRONG) == 400
    assert not pages_sign_in("10.3.0.1", "root", USER_PASSWORD)
    assert api_sign_in("10.3.0.1", "root", USER_PASSWORD) == 429


def test_the_pages_say_why_they_refuse(settings, root):
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = 1
    pages_sign_in("10.4.0.1", "root", WRONG)
    response = Client(REMOTE_ADDR="10.4.0.1").post(
        PAGES_URL, {"login": "root", "password": USER_PASSWORD}
    )
    assert "Too many failed login attempts" in response.content.decode()


def test_five_wrong_passwords_from_five_addresses_do_not_lock_the_account(root):
    # allauth's lockout did: five failures on an account from anywhere locked it five minutes.
    for n in range(5):
        assert not pages_sign_in(f"10.5.0.{n}", "root@example.test", WRONG)
    assert pages_sign_in("10.5.0.9", "root@example.test", USER_PASSWORD)


def test_guesses_spread_over_many_places_never_lock_the_owner_out_of_their_usual_one(
    settings, root
):
    settings.SIGN_IN_ACCOUNT_FAILURES = 4
    assert pages_sign_in("10.6.0.1", "root", USER_PASSWORD)  # the owner's usual place
    for n in range(4):
        assert api_sign_in(f"10.6.1.{n}", "root", WRONG) == 400
    assert api_sign_in("10.6.2.1", "root", USER_PASSWORD) == 429  # a new place: one window
    assert pages_sign_in("10.6.0.1", "root", USER_PASSWORD)
    assert api_sign_in("10.6.0.1", "root", USER_PASSWORD) == 200


def test_a_lock_ends_one_window_after_the_last_guess_however_long_one_knocks(settings, root):
    settings.SIGN_IN_FAILURES_PER_ACCOUNT = 2
    settings.SIGN_IN_WINDOW_SECONDS = 3
    for _ in range(2):
        assert api_sign_in("10.7.0.1", "root", WRONG) == 400
    started = time.monotonic()
    while time.monotonic() - started < 1.5:  # refused knocks count nothing
        assert api_sign_in("10.7.0.1", "root", WRONG) == 429
        time.sleep(0.2)
    time.sleep(max(0.0, 3.3 - (time.monotonic() - started)))
    assert api_sign_in("10.7.0.1", "root", USER_PASSWORD) == 200


def test_a_success_does_not_reset_the_address_s_guesses_on_other_accounts(settings, root):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 3
    UserFactory(username="victim")
    for _ in range(2):
        assert api_sign_in("10.8.0.1", "victim", WRONG) == 400
    assert api_sign_in("10.8.0.1", "root", USER_PASSWORD) == 200
    assert api_sign_in("10.8.0.1", "victim", WRONG) == 400
    assert api_sign_in("10.8.0.1", "victim", USER_PASSWORD) == 429


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(settings, root):
    settings.TRUSTED_PROXIES = ["10.9.0.1"]
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 2
    behind = {"X-Forwarded-For": "198.51.100.1"}
    for _ in range(2):
        assert api_sign_in("10.9.0.1", "nobody", WRONG, **behind) == 400
    assert api_sign_in("10.9.0.1", "root", USER_PASSWORD, **behind) == 429
    # Another client behind the same proxy is another address.
    other = {"X-Forwarded-For": "198.51.100.2"}
    assert api_sign_in("10.9.0.1", "root", USER_PASSWORD, **other) == 200
    assert sign_in_policy.check(address="198.51.100.1", login="root").reason == "address"
