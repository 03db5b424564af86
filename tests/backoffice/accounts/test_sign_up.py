"""Drivers' accounts through allauth with Django's test client: sign up, verify the email,
sign in (email or username), where a fresh sign-in lands, password reset, staff without email
verification."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from backoffice.accounts.models import DriverProfile
from backoffice.audit.models import AuditEvent
from tests.factories.accounts import USER_PASSWORD, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-driver-password-7"


def sign_up(client, email="dana@example.com"):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


def link_in(message, path):
    match = re.search(rf"https?://\S+{re.escape(path)}\S*", message.body)
    assert match, f"no {path} link in:\n{message.body}"
    return match[0]


def sign_in(client, login, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_the_sign_up_page_asks_for_email_and_the_password_twice(client):
    body = client.get(reverse("account_signup")).content.decode()
    assert 'name="email"' in body
    assert 'name="password1"' in body
    assert 'name="password2"' in body
    assert 'name="username"' not in body


def test_confirming_in_another_browser_verifies_but_asks_to_sign_in(client):
    sign_up(client)
    link = link_in(mail.outbox[0], "/accounts/confirm-email/")
    other = Client()
    response = other.post(link)
    assert EmailAddress.objects.get(email="dana@example.com").verified
    assert response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in other.session
    assert sign_in(other, "dana@example.com")["Location"] == reverse("home")


def test_a_driver_signs_up_verifies_the_email_and_is_signed_in_on_the_portal(client):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email="dana@example.com")
    assert DriverProfile.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="accounts.driver.sign_up", actor=user).exists()
    assert not EmailAddress.objects.get(user=user).verified

    [message] = mail.outbox
    assert message.to == ["dana@example.com"]
    assert message.subject.endswith("Confirm your email address")
    assert "please confirm that this is your email address" in message.body
    link = link_in(message, "/accounts/confirm-email/")

    page = client.get(link)
    assert page.status_code == 200
    assert "dana@example.com" in page.content.decode()
    confirmed = client.post(link)
    assert EmailAddress.objects.get(user=user).verified
    # Confirmed in the browser that signed up: signed in, sent on to the portal.
    assert confirmed["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("portal:home")


def test_an_unverified_driver_cannot_sign_in_and_gets_a_new_link(client):
    user = UserFactory(username="dana", email="dana@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = sign_in(client, "dana@example.com")
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_a_verified_driver_signs_in_by_email_or_username_and_lands_on_the_portal(client):
    user = UserFactory(username="dana", email="dana@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    for login in ("dana@example.com", "dana"):
        response = sign_in(client, login)
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        assert client.session["_auth_user_id"] == str(user.pk)
        assert client.get(response["Location"])["Location"] == reverse("portal:home")
        client.logout()


def test_a_wrong_password_shows_the_error_next_to_the_form(client):
    user = UserFactory(username="dana", email="dana@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = sign_in(client, "dana", "wrong")
    assert response.status_code == 200
    assert 'class="errors" role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_by_username_without_any_email_address_and_land_on_the_dashboard(client):
    operator = StaffProfileFactory(user__username="olga", user__email="").user
    response = sign_in(client, "olga", USER_PASSWORD)
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(operator.pk)
    assert client.get(reverse("home"))["Location"] == reverse("operator:dashboard")
    assert mail.outbox == []


def test_a_driver_resets_the_forgotten_password(client):
    user = UserFactory(username="dana", email="dana@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(reverse("account_reset_password"), {"email": "dana@example.com"})
    assert response["Location"] == reverse("account_reset_password_done")
    [message] = mail.outbox
    assert message.subject.endswith("Reset your password")
    assert "asked to reset the password" in message.body
    link = link_in(message, "/accounts/password/reset/key/")

    # allauth moves the key from the link into the session, then shows the form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0]
    new = "a-new-driver-password-8"
    done = client.post(action, {"password1": new, "password2": new})
    assert done["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password(new)


def test_the_old_django_auth_pages_are_gone(client):
    assert client.get("/accounts/password_change/").status_code == 404


def test_a_new_driver_from_a_connector_qr_code_comes_back_to_that_connector(client):
    start_at = reverse(
        "portal:start_at", kwargs={"identity": "CP-QR", "evse_id": 1, "connector_id": 1}
    )
    to_sign_in = client.get(start_at)
    assert to_sign_in["Location"] == f"{reverse('account_login')}?next={start_at}"
    signed_up = client.post(
        f"{reverse('account_signup')}?next={start_at}",
        {"email": "qr@example.com", "password1": PASSWORD, "password2": PASSWORD, "next": start_at},
    )
    assert signed_up["Location"] == reverse("account_email_verification_sent")
    confirmed = client.post(link_in(mail.outbox[0], "/accounts/confirm-email/"))
    assert confirmed["Location"] == start_at
