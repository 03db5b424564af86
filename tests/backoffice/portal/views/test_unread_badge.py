"""The menu's unread-notifications badge: on every portal page, fetched again on each live
notification (`live:notification`), counting the driver's own unread notifications."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.portal.models import Notification

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def _notify(user, *, read: bool = False) -> Notification:
    return Notification.objects.create(
        user=user,
        kind=Notification.Kind.SESSION_ENDED,
        title="Done",
        read_at=timezone.now() if read else None,
    )


def test_every_portal_page_refreshes_the_badge_on_a_live_notification(client, driver):
    body = signed_in(client, driver).get(reverse("portal:sessions")).content.decode()
    badge = body[body.index('id="portal-unread"') :]
    assert badge.startswith(
        f'id="portal-unread" hx-get="{reverse("portal:unread_badge")}" '
        'hx-trigger="live:notification from:body delay:300ms"'
    )
    # The page watches the driver's own events ("me"), where notifications arrive.
    assert 'data-live="me"' in body


def test_the_badge_counts_the_drivers_unread_notifications_only(
    client, driver, other_driver, other_notification
):
    _notify(driver)
    _notify(driver)
    _notify(driver, read=True)
    body = signed_in(client, driver).get(reverse("portal:unread_badge")).content.decode()
    assert 'data-testid="unread-count">2<' in body


def test_the_badge_is_empty_with_nothing_unread(client, driver, other_notification):
    _notify(driver, read=True)
    body = signed_in(client, driver).get(reverse("portal:unread_badge")).content.decode()
    assert body.strip() == ""


def test_the_badge_needs_a_signed_in_user(client):
    response = client.get(reverse("portal:unread_badge"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
