"""The driver's notifications (mark all read) and profile (name, phone, preferences)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backoffice.accounts.models import DriverProfile
from backoffice.audit.models import AuditEvent
from backoffice.portal.models import Notification

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_list_shows_the_drivers_notifications_only(client, driver, other_notification):
    Notification.objects.create(user=driver, kind="session_ended", title="Done: 12 kWh")
    body = signed_in(client, driver).get(reverse("portal:notifications")).content.decode()
    assert "Done: 12 kWh" in body
    assert "Other&#x27;s news" not in body and "Other's news" not in body
    assert 'data-testid="mark-all-read"' in body


def test_mark_all_read_reads_the_drivers_own_only(client, driver, other_notification):
    mine = Notification.objects.create(user=driver, kind="session_ended", title="Done")
    response = signed_in(client, driver).post(reverse("portal:notifications_read"))
    assert response["Location"] == reverse("portal:notifications")
    mine.refresh_from_db()
    other_notification.refresh_from_db()
    assert mine.read_at is not None
    assert other_notification.read_at is None
    assert 'data-testid="unread-count"' not in client.get(response["Location"]).content.decode()


def test_the_profile_shows_the_defaults_for_a_new_driver(client, driver):
    response = signed_in(client, driver).get(reverse("portal:profile"))
    assert response.status_code == 200
    assert response.context["form"]["notify_session_started"].value() is True
    assert DriverProfile.objects.filter(user=driver).exists()


def test_the_profile_is_saved_and_audited(client, driver):
    data = {
        "first_name": "Ada",
        "last_name": "Driver",
        "phone": "+49 30 1234567",
        "notify_session_started": "on",
        "notify_soc_percent": "80",
        "notify_idle_minutes": "",
        "email_notifications": "",
    }
    response = signed_in(client, driver).post(reverse("portal:profile"), data)
    assert response["Location"] == reverse("portal:profile")
    profile = DriverProfile.objects.get(user=driver)
    driver.refresh_from_db()
    assert (driver.first_name, driver.last_name, profile.phone) == (
        "Ada",
        "Driver",
        "+49 30 1234567",
    )
    assert profile.notify_session_started is True
    assert profile.notify_charging_finished is False
    assert profile.notify_soc_percent == 80
    assert profile.notify_idle_minutes is None
    assert profile.email_notifications is False
    assert AuditEvent.objects.filter(actor=driver, action="accounts.driver.preferences").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"phone": "call me maybe"}, "phone"),
        ({"notify_soc_percent": "101"}, "notify_soc_percent"),
        ({"notify_soc_percent": "half"}, "notify_soc_percent"),
        ({"notify_idle_minutes": "0"}, "notify_idle_minutes"),
        ({"first_name": "x" * 151}, "first_name"),
    ],
)
def test_nonsense_in_the_profile_gets_field_errors(client, driver, data, field):
    response = signed_in(client, driver).post(reverse("portal:profile"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not AuditEvent.objects.filter(action="accounts.driver.preferences").exists()
