"""Watching drivers' sessions: the charger's side of the portal (links, limits, notifications).

A session is *watched* when it has a DriverSession: every session charged with a token that
belongs to a user gets one when it starts (the pending one the portal made for its remote
start, else a new one). The charging core's events carry the token's owner (`driver_id`), so
the portal's subscribers (`portal.subscribers`) pass over other sessions without a query and
hand a driver's to Celery tasks, which call the functions here: linking at the start, charging
state changes, the end, and each stored frame's newest readings (limits, and the remote stop;
charging finished by power when the station reports no charging state; state of charge).
The periodic checks (time limits, idle cars, starts that never came) are in `session_checks`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import structlog
from django.db import IntegrityError
from django.db import transaction as db_transaction
from django.db.models import Q
from django.utils import timezone

from backoffice.accounts.models import DriverProfile
from backoffice.lib import meter_series
from backoffice.portal.models import DriverSession
from stations.models import Transaction

from . import cost, limits, notifications

log = structlog.get_logger(__name__)

# A DriverSession the portal made (a remote start) is taken by a session started at its
# station with its token this long after.
LINK_WINDOW = timedelta(minutes=10)
# A car drawing less than this after having charged has finished (stations that report no
# charging state).
NEAR_ZERO_W = Decimal(100)
CHARGING = "Charging"
# Charging states (or connector statuses) that, after Charging, mean the car stopped drawing.
FINISHED_STATES = frozenset({"SuspendedEV", "EVConnected", "Idle"})
# Connector statuses worth a look: those that only stations without charging states report.
CHARGING_STATUSES = frozenset({CHARGING, "SuspendedEV"})
# The limit a station stopped at by itself (the core's `stopped_at_limit`).
STOPPED_BY_STATION = {
    "energy": DriverSession.LimitReason.ENERGY,
    "time": DriverSession.LimitReason.DURATION,
    "cost": DriverSession.LimitReason.COST,
}
# Start statuses of a portal start linked as expected (the answer may still be on its way);
# any other means the station started after all.
_ON_TIME = frozenset({DriverSession.StartStatus.REQUESTED, DriverSession.StartStatus.ACCEPTED})
STARTED = "Started"
ENDED = "Ended"
ACCEPTED = "Accepted"


# --- the work --------------------------------------------------------------------------------


def transaction_started(*, transaction_pk: int) -> DriverSession | None:
    """Give the session its DriverSession when its token belongs to a user: the pending one the
    portal made (same remote start; else same station, token and EVSE, no transaction yet,
    made in the last LINK_WINDOW), else a new one (start status CARD). A portal start linked
    here is ACCEPTED, whatever its answer said (a late start after a timeout, say). Tells the
    driver it started. Idempotent."""
    tx = (
        Transaction.objects.select_related("id_token__user", "evse", "connector", "station")
        .filter(pk=transaction_pk)
        .first()
    )
    if tx is None or tx.id_token is None or tx.id_token.user is None:
        return None
    if tx.auth_status and tx.auth_status != ACCEPTED:
        return None  # the station was told to refuse it: not a driver's session
    user = tx.id_token.user
    evse_id = tx.evse.evse_id if tx.evse is not None else None
    try:
        with db_transaction.atomic():
            if DriverSession.objects.filter(transaction_id=tx.pk).exists():
                return None
            session = _pending_for(tx, user, evse_id)
            if session is None:
                session = DriverSession(
                    user=user,
                    station_id=tx.station_id,
                    id_tag=tx.id_tag,
                    start_status=DriverSession.StartStatus.CARD,
                )
            else:
                if session.start_status not in _ON_TIME:
                    log.info(
                        "portal.late_start_linked",
                        driver_session_id=session.pk,
                        start_status=session.start_status,
                    )
                session.start_status = DriverSession.StartStatus.ACCEPTED
            session.transaction = tx
            session.evse_id = session.evse_id or evse_id
            if tx.connector is not None:
                session.connector_id = tx.connector.connector_id
            session.save()
            session.station = tx.station
            notifications.session_started(session)
    except IntegrityError:
        # The same start seen twice at once (replays on two sockets): the other one linked it.
        log.info("portal.session_link_raced", transaction_pk=transaction_pk)
        return None
    log.info("portal.session_linked", transaction_pk=tx.pk, driver_session_id=session.pk)
    return session


def transaction_ended(*, transaction_pk: int, stopped_at_limit: str = "") -> None:
    """Tell the driver the session ended, with its energy, duration and cost (when known);
    `stopped_at_limit`: the station stopped at a limit it was sent ("energy", "time", "cost")."""
    with db_transaction.atomic():
        session = locked_session(transaction_pk)
        if session is None or session.transaction is None:
            return
        tx = session.transaction
        reason = STOPPED_BY_STATION.get(stopped_at_limit)
        if reason and not session.limit_reached:
            # The station enforced the limits it was sent.
            session.limit_reached = reason
            session.limit_reached_at = tx.stopped_at or timezone.now()
            session.save(update_fields=["limit_reached", "limit_reached_at", "updated_at"])
            notifications.limit_reached(session)
        duration = None
        if tx.started_at is not None and tx.stopped_at is not None:
            duration = tx.stopped_at - tx.started_at
        notifications.session_ended(
            session, energy_wh=tx.energy_wh, duration=duration, cost=cost.cost_so_far(tx)
        )


def charging_state_changed(
    *, transaction_pk: int, previous: str, current: str, at: datetime
) -> None:
    """Leaving Charging for SuspendedEV / EVConnected / Idle is charging finished; Charging
    again clears it."""
    with db_transaction.atomic():
        session = locked_session(transaction_pk)
        if session is None:
            return
        if current == CHARGING:
            _charging_again(session)
        elif previous == CHARGING and current in FINISHED_STATES:
            _finished(session, at)


def status_reported(*, station_id: int, evse_id: int, status: str, at: datetime) -> None:
    """A connector's status, from a station that reports no charging state: SuspendedEV after
    some energy is charging finished; Charging clears it. One short query when nobody watches
    the connector (most status notifications): the lock is taken only for a session found."""
    watched = (
        DriverSession.objects.filter(
            transaction__station_id=station_id,
            transaction__evse__evse_id=evse_id,
            transaction__state=Transaction.State.ACTIVE,
        )
        .order_by("-created_at")
        .values_list("pk", flat=True)
        .first()
    )
    if watched is None:
        return
    with db_transaction.atomic():
        session = (
            DriverSession.objects.select_for_update(of=("self",))
            .select_related("transaction", "station", "user")
            .filter(pk=watched, transaction__state=Transaction.State.ACTIVE)
            .first()
        )
        if session is None or session.transaction is None:
            return
        if status == CHARGING:
            _charging_again(session)
        elif status in FINISHED_STATES:
            energy = limits.energy_so_far(session.transaction)
            if energy is None or energy > 0:
                _finished(session, at)


def meter_reading(
    *,
    transaction_pk: int,
    reading: meter_series.Reading,
    at: datetime,
    now: datetime | None = None,
) -> None:
    """A watched session's newest readings: limits (energy, time, cost), charging finished by
    power (stations without charging states), state of charge, idle. Sends the remote stop
    when a limit was just reached."""
    now = now or timezone.now()
    stop = False
    with db_transaction.atomic():
        session = locked_session(transaction_pk)
        if session is None or session.transaction is None:
            return
        tx = session.transaction
        if tx.state != Transaction.State.ACTIVE:
            return
        energy = None
        if reading.energy_wh is not None and tx.meter_start_wh is not None:
            energy = reading.energy_wh - tx.meter_start_wh
        if energy is None:
            energy = tx.energy_wh if tx.meter_stop_wh is not None else None
        stop = limits.check(session, energy_wh=energy, now=now)
        if reading.power_w is not None and not tx.charging_state:
            # No charging state reported: power tells.
            if reading.power_w > NEAR_ZERO_W:
                _charging_again(session)
            elif energy is not None and energy > 0:
                _finished(session, at)
        if reading.soc_percent is not None:
            _check_soc(session, reading.soc_percent)
        check_idle(session, now)
    if stop:
        limits.stop_for_limit(driver_session_pk=session.pk)


# --- shared with the periodic checks (session_checks) ------------------------------------


def locked_session(transaction_pk: int) -> DriverSession | None:
    """The watched session of the transaction, locked (call inside an atomic block)."""
    # Locked: the meter task, the periodic check and the event hooks of one session take
    # turns, so a limit stops once and each notification is given once.
    return (
        DriverSession.objects.select_for_update(of=("self",))
        .select_related("transaction", "station", "user")
        .filter(transaction_id=transaction_pk)
        .first()
    )


def check_idle(session: DriverSession, now: datetime) -> bool:
    """Tell the driver (once) their car idles after charging, past their chosen minutes;
    True when told now. `session` is locked by the caller."""
    finished = session.charging_finished_at
    if finished is None or notifications.Kind.IDLE in session.notified:
        return False
    minutes = _profile(session).notify_idle_minutes
    if minutes is None or now - finished < timedelta(minutes=minutes):
        return False
    return notifications.idle(session, minutes) is not None


# --- helpers ---------------------------------------------------------------------------------


def _pending_for(tx: Transaction, user: Any, evse_id: int | None) -> DriverSession | None:
    pending = DriverSession.objects.select_for_update().filter(transaction__isnull=True)
    if tx.remote_start_command_id is not None:
        # The remote start's id names the command the portal sent.
        found = pending.filter(start_command_id=tx.remote_start_command_id).first()
        if found is not None:
            return found
    candidates = pending.filter(
        user=user,
        station_id=tx.station_id,
        id_tag=tx.id_tag,
        created_at__gte=timezone.now() - LINK_WINDOW,
    )
    if evse_id is not None:
        candidates = candidates.filter(Q(evse_id=evse_id) | Q(evse_id__isnull=True))
    return candidates.order_by("-created_at").first()


def _finished(session: DriverSession, at: datetime) -> None:
    if session.charging_finished_at is not None:
        return
    session.charging_finished_at = at
    session.save(update_fields=["charging_finished_at", "updated_at"])
    notifications.charging_finished(session)


def _charging_again(session: DriverSession) -> None:
    if session.charging_finished_at is None:
        return
    session.charging_finished_at = None
    session.save(update_fields=["charging_finished_at", "updated_at"])


def _check_soc(session: DriverSession, soc: Decimal) -> None:
    if notifications.Kind.SOC_REACHED in session.notified:
        return
    wanted = _profile(session).notify_soc_percent
    if wanted is not None and soc >= wanted:
        notifications.soc_reached(session, soc)


def _profile(session: DriverSession) -> DriverProfile:
    profile, _created = DriverProfile.objects.get_or_create(user_id=session.user_id)
    return profile
