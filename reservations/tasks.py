"""Celery tasks: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from reservations.services import lifecycle


@shared_task
def expire_reservations() -> int:
    return lifecycle.expire_overdue()
