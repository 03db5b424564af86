"""The periodic check of drivers' sessions (Celery beat, every minute): what no message from
the station triggers. Time limits (and energy, cost) of running sessions, cars idle after
charging, portal starts the station accepted but never began, and limit stops to send again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction as db_transaction
from django.db.models import QuerySet
from django.utils import timezone

from backoffice.portal.models import DriverSession
from stations.models import Transaction

from . import limits, notifications
from .session_watch import LINK_WINDOW, check_idle, locked_session

# How long after LINK_WINDOW a start that never came is still looked at (told once).
START_FAILED_LOOKBACK = timedelta(hours=1)


def check_sessions(*, now: datetime | None = None) -> int:
    """Time (and energy, cost) limits of running sessions, idle cars, starts that never came,
    and stops to send again. Returns how many sessions it acted on."""
    now = now or timezone.now()
    acted = 0
    running = DriverSession.objects.filter(transaction__state=Transaction.State.ACTIVE)
    limited = running.filter(limit_reached="").exclude(
        limit_energy_wh=None, limit_minutes=None, limit_cost=None
    )
    for pk, transaction_pk in limited.values_list("pk", "transaction_id"):
        stop = False
        with db_transaction.atomic():
            session = locked_session(transaction_pk)
            if session is not None and session.transaction is not None:
                energy = limits.energy_so_far(session.transaction)
                stop = limits.check(session, energy_wh=energy, now=now)
        if stop:
            acted += 1
            limits.stop_for_limit(driver_session_pk=pk)
    idle = running.filter(charging_finished_at__isnull=False).exclude(
        user__driver_profile__notify_idle_minutes=None
    )
    for transaction_pk in idle.values_list("transaction_id", flat=True):
        with db_transaction.atomic():
            session = locked_session(transaction_pk)
            if session is not None and check_idle(session, now):
                acted += 1
    acted += _retry_stops(running, now)
    acted += _starts_that_never_came(now)
    return acted


def _retry_stops(running: QuerySet[DriverSession], now: datetime) -> int:
    """Sessions whose limit was reached but which still run: the stop was lost, refused or
    the station was offline. Sent again every STOP_RETRY_AFTER."""
    due = (
        running.exclude(limit_reached="")
        .filter(limit_reached_at__lt=now - limits.STOP_RETRY_AFTER)
        .select_related("stop_command")
    )
    sent = 0
    for session in due:
        last = session.stop_command
        if last is not None and last.created_at >= now - limits.STOP_RETRY_AFTER:
            continue
        limits.stop_for_limit(driver_session_pk=session.pk)
        sent += 1
    return sent


def _starts_that_never_came(now: datetime) -> int:
    """Portal starts the station accepted but never began within LINK_WINDOW: made
    NOT_STARTED and told once (looked at for START_FAILED_LOOKBACK after; a start refused at
    once has its own status and is shown on the page instead)."""
    told = 0
    stale = DriverSession.objects.filter(
        transaction__isnull=True,
        start_status=DriverSession.StartStatus.ACCEPTED,
        created_at__lt=now - LINK_WINDOW,
        created_at__gte=now - LINK_WINDOW - START_FAILED_LOOKBACK,
    )
    for pk in stale.values_list("pk", flat=True):
        with db_transaction.atomic():
            # Locked: a late start being linked (ACCEPTED, with a transaction) wins or waits.
            session = (
                DriverSession.objects.select_for_update(of=("self",))
                .select_related("station", "user")
                .filter(pk=pk, transaction__isnull=True)
                .first()
            )
            if session is None or session.start_status != DriverSession.StartStatus.ACCEPTED:
                continue
            session.start_status = DriverSession.StartStatus.NOT_STARTED
            session.save(update_fields=["start_status", "updated_at"])
            if notifications.start_failed(session) is not None:
                told += 1
    return told
