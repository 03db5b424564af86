"""Retention of the raw OCPP message log."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from stations.models import MessageLog

_CHUNK = 10_000


def purge_message_log(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete frames older than the retention period, in chunks; return how many."""
    keep_days = days if days is not None else settings.OCPP_MESSAGE_LOG_RETENTION_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=keep_days)
    deleted = 0
    while True:
        # Chunked so a large purge never holds long locks on the log the servers write to.
        # Uses index: created_at.
        ids = list(
            MessageLog.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:_CHUNK]
        )
        if not ids:
            return deleted
        deleted += MessageLog.objects.filter(pk__in=ids).delete()[0]
