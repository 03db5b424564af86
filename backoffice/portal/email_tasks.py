"""The email task of notifications. Apart from `tasks` because the notification services
enqueue it while `tasks` calls those services: one module would import the other back."""

from __future__ import annotations

from celery import shared_task

from .services import notification_email


# Named as when it lived in `tasks`: queued emails of a running deployment keep working.
@shared_task(
    name="backoffice.portal.tasks.email_notification",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def email_notification(*, notification_pk: int) -> bool:
    return notification_email.send_email(notification_pk=notification_pk)
