"""Drivers' accounts as services: the profile, accounts operators open (verified address, an
email to set the password), preferences."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client, RequestFactory

from backoffice.accounts.exceptions import ProfileInvalid
from backoffice.accounts.models import DriverProfile
from backoffice.accounts.services import drivers
from backoffice.accounts.services.drivers import EMAIL_INVALID, EMAIL_TAKEN, SOC_OUT_OF_RANGE
from backoffice.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(settings):
    settings.ALLOWED_HOSTS = ["csms.example.test", "testserver"]
    return RequestFactory().get("/drivers/new/", HTTP_HOST="csms.example.test")


def test_ensure_profile_makes_one_profile(driver):
    first = drivers.ensure_profile(driver)
    assert drivers.ensure_profile(driver) == first
    assert DriverProfile.objects.filter(user=driver).count() == 1
    assert first.notify_session_started and first.email_notifications


def test_an_operator_opens_an_account_and_the_driver_sets_a_password(
    operator, request_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = drivers.create_driver(
            actor=operator,
            email=" kim@example.com ",
            first_name="Kim",
            last_name="Lee",
            phone="+49 30 1234",
            request=request_,
        )
    assert (user.email, user.get_full_name()) == ("kim@example.com", "Kim Lee")
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert user.driver_profile.phone == "+49 30 1234"
    assert AuditEvent.objects.filter(action="accounts.driver.create", actor=operator).count() == 1

    [message] = mail.outbox
    assert message.to == ["kim@example.com"]
    assert message.subject.endswith("Choose a password for your new account")
    assert "has opened an account for you at csms.example.test" in message.body
    link = re.search(r"http://csms\.example\.test(/accounts/password/reset/key/\S+)", message.body)
    assert link, message.body

    # The link works: the driver chooses a password and signs in (no verification asked).
    client = Client()
    page = client.get(link[1], follow=True)
    password = "kims-own-password-42"
    client.post(page.redirect_chain[-1][0], {"password1": password, "password2": password})
    user.refresh_from_db()
    assert user.check_password(password)
    response = client.post("/accounts/login/", {"login": "kim@example.com", "password": password})
    assert response["Location"] == "/home/"


def test_no_email_leaves_before_the_account_is_committed(operator, request_):
    drivers.create_driver(actor=operator, email="kim@example.com", request=request_)
    assert mail.outbox == []


@pytest.mark.parametrize(("email", "message"), [("nope", EMAIL_INVALID), ("", EMAIL_INVALID)])
def test_a_malformed_address_is_refused(operator, request_, email, message):
    with pytest.raises(ProfileInvalid) as error:
        drivers.create_driver(actor=operator, email=email, request=request_)
    assert (error.value.message, error.value.field) == (str(message), "email")


def test_a_taken_address_is_refused_in_any_case(operator, driver, request_):
    with pytest.raises(ProfileInvalid) as error:
        drivers.create_driver(actor=operator, email=driver.email.upper(), request=request_)
    assert (error.value.message, error.value.field) == (str(EMAIL_TAKEN), "email")


def test_preferences_change_once_and_are_audited(driver):
    drivers.update_preferences(
        user=driver,
        first_name="Dana",
        phone=" 0171 ",
        notify_soc_percent=80,
        email_notifications=False,
    )
    drivers.update_preferences(user=driver, first_name="Dana", notify_soc_percent=80)
    driver.refresh_from_db()
    profile = driver.driver_profile
    assert (driver.first_name, profile.phone, profile.notify_soc_percent) == ("Dana", "0171", 80)
    assert profile.email_notifications is False
    [event] = AuditEvent.objects.filter(action="accounts.driver.preferences")
    assert event.actor == driver
    assert event.data["notify_soc_percent"] == {"from": None, "to": 80}
    assert set(event.data) == {"first_name", "phone", "notify_soc_percent", "email_notifications"}


def test_a_percent_out_of_range_is_refused(driver):
    with pytest.raises(ProfileInvalid) as error:
        drivers.update_preferences(user=driver, notify_soc_percent=120)
    assert (error.value.message, error.value.field) == (str(SOC_OUT_OF_RANGE), "notify_soc_percent")


def test_an_unknown_preference_is_a_programming_error(driver):
    with pytest.raises(TypeError):
        drivers.update_preferences(user=driver, is_superuser=True)
    driver.refresh_from_db()
    assert not driver.is_superuser
