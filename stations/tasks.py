"""Celery tasks: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from stations.services import retention


@shared_task
def purge_message_log() -> int:
    return retention.purge_message_log()
