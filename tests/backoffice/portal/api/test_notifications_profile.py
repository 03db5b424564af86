"""The driver's notifications and profile through the API."""

from __future__ import annotations

import pytest

from backoffice.accounts.models import DriverProfile
from backoffice.accounts.services import drivers
from backoffice.portal.models import Notification

pytestmark = pytest.mark.django_db


def test_notifications_are_listed_and_marked_read(api, driver, other_driver):
    older = Notification.objects.create(user=driver, kind="session_started", title="Started")
    newer = Notification.objects.create(user=driver, kind="session_ended", title="Ended")
    theirs = Notification.objects.create(user=other_driver, kind="session_started", title="X")
    client = api(driver)

    body = client.get("/api/v1/me/notifications/").json()
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]

    assert client.post(f"/api/v1/me/notifications/{older.pk}/read/").json() == {"marked": 1}
    unread = client.get("/api/v1/me/notifications/", {"unread": "true"}).json()
    assert [row["id"] for row in unread["results"]] == [newer.pk]

    assert client.post("/api/v1/me/notifications/read/").json() == {"marked": 1}
    assert not Notification.objects.filter(user=driver, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_profile_is_read_and_changed(api, driver):
    client = api(driver)
    body = client.get("/api/v1/me/profile/").json()
    assert body["username"] == "driver"
    assert body["app_token"] is None
    assert body["notify_session_started"] is True

    changed = client.patch(
        "/api/v1/me/profile/",
        {"first_name": "Ada", "phone": "+49 30 1234", "notify_soc_percent": 80},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["first_name"] == "Ada"
    profile = DriverProfile.objects.get(user=driver)
    assert (profile.phone, profile.notify_soc_percent) == ("+49 30 1234", 80)

    bad = client.patch("/api/v1/me/profile/", {"notify_soc_percent": 120})
    assert bad.status_code == 400
    assert bad.json() == {"notify_soc_percent": [str(drivers.SOC_OUT_OF_RANGE)]}
