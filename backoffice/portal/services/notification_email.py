"""Notifications by email: sent once each, by a task (`portal.email_tasks`)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from backoffice.portal.models import Notification


def send_email(*, notification_pk: int) -> bool:
    """Email one notification (plain text) unless it was emailed already; True when sent.

    Idempotent: the row is locked and `emailed_at` set in the same transaction as the send.
    """
    with transaction.atomic():
        # Locked: a retried task and the original cannot both send.
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=notification_pk)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        user = notification.user
        if not user.email:
            return False
        context = {"notification": notification, "user": user}
        subject = render_to_string("portal/email/notification_subject.txt", context)
        body = render_to_string("portal/email/notification.txt", context)
        send_mail(
            " ".join(subject.split()),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True
