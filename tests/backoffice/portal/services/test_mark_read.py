"""`notifications.mark_read`: one or all of the user's own unread notifications, nobody else's."""

from __future__ import annotations

import pytest

from backoffice.audit.models import AuditEvent
from backoffice.portal.models import Notification
from backoffice.portal.services import notifications

pytestmark = pytest.mark.django_db


def _note(user, title: str = "t") -> Notification:
    return Notification.objects.create(user=user, kind="session_started", title=title)


def test_one_notification_is_marked_read(driver):
    one, other = _note(driver), _note(driver)
    assert notifications.mark_read(user=driver, pk=one.pk) == 1
    one.refresh_from_db()
    other.refresh_from_db()
    assert one.read_at is not None
    assert other.read_at is None


def test_all_unread_are_marked_and_read_ones_keep_their_time(driver):
    read = _note(driver)
    notifications.mark_read(user=driver, pk=read.pk)
    first_read = Notification.objects.get(pk=read.pk).read_at
    _note(driver), _note(driver)

    assert notifications.mark_read(user=driver) == 2
    assert not Notification.objects.filter(user=driver, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=read.pk).read_at == first_read
    assert notifications.mark_read(user=driver) == 0


def test_another_users_notification_is_never_marked(driver, other_driver):
    theirs = _note(other_driver)
    assert notifications.mark_read(user=driver, pk=theirs.pk) == 0
    assert notifications.mark_read(user=driver) == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_read_receipts_are_not_audited(driver):
    _note(driver)
    notifications.mark_read(user=driver)
    assert not AuditEvent.objects.exists()
