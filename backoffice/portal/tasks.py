"""Celery tasks of the portal: thin wrappers around services (eager in tests and dev)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from celery import shared_task
from django.utils import timezone

from backoffice.lib import meter_series

from .services import session_checks, session_watch


@shared_task
def session_meter(
    *,
    transaction_pk: int,
    energy_wh: str | None,
    power_w: str | None,
    soc_percent: str | None,
    at: str,
) -> None:
    """The newest readings of one stored frame of a watched session."""
    session_watch.meter_reading(
        transaction_pk=transaction_pk,
        reading=meter_series.Reading(
            energy_wh=_decimal(energy_wh),
            power_w=_decimal(power_w),
            soc_percent=_decimal(soc_percent),
        ),
        at=datetime.fromisoformat(at),
    )


@shared_task
def session_started(*, transaction_pk: int) -> None:
    """A driver's token started the session (or joined it): link it to the driver."""
    session_watch.transaction_started(transaction_pk=transaction_pk)


@shared_task
def charging_state_changed(
    *, transaction_pk: int, previous: str, current: str, at: str | None
) -> None:
    session_watch.charging_state_changed(
        transaction_pk=transaction_pk,
        previous=previous,
        current=current,
        at=datetime.fromisoformat(at) if at else timezone.now(),
    )


@shared_task
def session_ended(*, transaction_pk: int, stopped_at_limit: str = "") -> None:
    session_watch.transaction_ended(
        transaction_pk=transaction_pk, stopped_at_limit=stopped_at_limit
    )


@shared_task
def connector_status(*, station_id: int, evse_id: int, status: str, at: str) -> None:
    session_watch.status_reported(
        station_id=station_id, evse_id=evse_id, status=status, at=datetime.fromisoformat(at)
    )


@shared_task
def check_sessions() -> int:
    """Every minute: time limits, idle cars, starts that never came, stops to send again."""
    return session_checks.check_sessions()


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
