"""Limits of a session: stop at an energy, after a time, at a cost (once tariffs exist).

The driver sets them (`set_limits`, their own active session only). The back office enforces
them itself: `check` on every stored meter value of a watched session and once a minute
(`session_checks.check_sessions`), then `stop_for_limit` sends the remote stop (without waiting
for the answer). A station whose version can carry them in its answers is also told them
(`terms.terms_for`, the portal's answer to the core's `transaction_terms` question) and stops by
itself; the back office's check stays as a fallback, with a grace margin so the station's own
stop comes first. `DriverSession.limit_sent` records what the station was told, in these terms
(`energy_wh`, `duration_seconds`, `cost`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.audit import services as audit
from backoffice.lib import meter_series, units
from backoffice.portal.models import DriverSession
from stations import questions
from stations.exceptions import CommandError
from stations.models import Command, MeterValue, Transaction
from stations.services.commands import bus, remote
from stations.services.commands.bus import SYSTEM

from . import cost, notifications

log = structlog.get_logger(__name__)

Reason = DriverSession.LimitReason

# Bounds of what a driver may ask for (a typo, not a car, asks for more).
MAX_ENERGY_WH = Decimal(500_000)
MAX_MINUTES = 7 * 24 * 60
MAX_COST = Decimal(10_000)
# When the station was sent the limit it stops by itself; the back office steps in only
# this far past the limit (the station's stop and its Ended event on their way).
GRACE_ENERGY_FRACTION = Decimal("0.02")
GRACE_ENERGY_MIN_WH = Decimal(100)
GRACE_TIME = timedelta(minutes=2)
# A stop for a reached limit is sent again when the session still runs this long after.
STOP_RETRY_AFTER = timedelta(minutes=2)

# Domain messages (tests import them).
NOT_ACTIVE = "This session has ended: its limits can no longer change."
ALREADY_STOPPING = "This session reached its limit and is being stopped."
ENERGY_NOT_POSITIVE = "The energy limit must be more than 0 kWh."
ENERGY_TOO_HIGH = "The energy limit can be at most 500 kWh."
ENERGY_ALREADY_REACHED = "The session has already delivered %(kwh)s kWh: choose a higher limit."
MINUTES_NOT_POSITIVE = "The time limit must be at least 1 minute."
MINUTES_TOO_HIGH = "The time limit can be at most 7 days."
MINUTES_ALREADY_REACHED = "The session has already run %(minutes)s minutes: choose a longer limit."
COST_NOT_POSITIVE = "The cost limit must be more than 0."
COST_TOO_HIGH = "The cost limit can be at most 10000."


class LimitInvalid(ValueError):
    """A limit the session cannot take; `message` says why (for the driver), `field` which."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a session stands against its limits."""

    energy_wh: Decimal | None
    elapsed: timedelta | None
    cost: Decimal | None


def set_limits(
    *,
    user: Any,
    transaction_pk: int,
    energy_wh: Decimal | int | None = None,
    minutes: int | None = None,
    cost: Decimal | int | None = None,
) -> DriverSession:
    """Set the limits of the user's own active session (None: no limit of that kind).

    Raises DriverSession.DoesNotExist when the session is not the user's (views answer 404),
    LimitInvalid when it has ended or a value is out of range or already passed. Audited. A
    2.1 station is sent the new limits with its next TransactionEvent.
    """
    energy = _decimal(energy_wh, "energy_wh")
    money = _decimal(cost, "cost")
    with transaction.atomic():
        # Locked: the meter path's check and the 2.1 limit_sent update see these limits whole.
        session = (
            DriverSession.objects.select_for_update(of=("self",))
            .select_related("transaction")
            .get(user=user, transaction_id=transaction_pk)
        )
        tx = session.transaction
        if tx is None or tx.state != Transaction.State.ACTIVE:
            raise LimitInvalid(_(NOT_ACTIVE))
        if session.limit_reached:
            # Its stop is on its way (or retried): a new limit would not undo it.
            raise LimitInvalid(_(ALREADY_STOPPING))
        now = timezone.now()
        _validate(tx, energy, minutes, money, now)
        session.limit_energy_wh = energy
        session.limit_minutes = minutes
        session.limit_cost = money
        session.save(update_fields=["limit_energy_wh", "limit_minutes", "limit_cost", "updated_at"])
        audit.record(
            action="portal.session.limits",
            actor=user,
            target=session,
            data={
                "transaction": transaction_pk,
                "energy_wh": None if energy is None else str(energy),
                "minutes": minutes,
                "cost": None if money is None else str(money),
            },
        )
    return session


def energy_so_far(tx: Transaction) -> Decimal | None:
    """Energy delivered so far: a 2.x session keeps its newest register reading on the row; a
    running 1.6 session's is in its newest meter value holding the register (one query; Uses
    index: meter value (transaction, timestamp))."""
    if tx.state != Transaction.State.ACTIVE or tx.meter_stop_wh is not None:
        return tx.energy_wh
    if tx.meter_start_wh is None:
        return None
    samples = (
        MeterValue.objects.filter(transaction_id=tx.pk)
        .holding(meter_series.ENERGY_IMPORT_REGISTER)
        .order_by("-timestamp", "-pk")
        .values_list("sampled_values", flat=True)
        .first()
    )
    reading = meter_series.read(samples or []).energy_wh
    return None if reading is None else reading - tx.meter_start_wh


def progress(tx: Transaction, *, energy_wh: Decimal | None, now: datetime) -> Progress:
    """The session's energy (given: read by the caller), time since start and cost so far."""
    elapsed = now - tx.started_at if tx.started_at is not None else None
    return Progress(energy_wh=energy_wh, elapsed=elapsed, cost=cost.cost_so_far(tx))


def reached(session: DriverSession, done: Progress) -> str:
    """Which limit `done` has reached ("" for none); with the limits sent to the station, only
    once past the grace margin (the station stops by itself first)."""
    sent = session.limit_sent or {}
    limit_energy = session.limit_energy_wh
    if limit_energy is not None and done.energy_wh is not None:
        grace = Decimal(0)
        if sent.get("energy_wh") == _json_number(limit_energy):
            grace = max(GRACE_ENERGY_MIN_WH, limit_energy * GRACE_ENERGY_FRACTION)
        if done.energy_wh >= limit_energy + grace:
            return Reason.ENERGY
    if session.limit_minutes is not None and done.elapsed is not None:
        limit_time = timedelta(minutes=session.limit_minutes)
        if sent.get("duration_seconds") == session.limit_minutes * 60:
            limit_time += GRACE_TIME
        if done.elapsed >= limit_time:
            return Reason.DURATION
    if session.limit_cost is not None and done.cost is not None:
        grace = Decimal(0)
        if sent.get("cost") == _json_number(session.limit_cost):
            grace = session.limit_cost * GRACE_ENERGY_FRACTION
        if done.cost >= session.limit_cost + grace:
            return Reason.COST
    return ""


def check(session: DriverSession, *, energy_wh: Decimal | None, now: datetime) -> bool:
    """Mark `session` (locked by the caller, its transaction loaded) as having reached a limit
    and tell the driver; True when it just did (the caller then calls `stop_for_limit` after
    commit). A session whose limit was reached already is left alone."""
    tx = session.transaction
    if (
        tx is None
        or tx.state != Transaction.State.ACTIVE
        or session.limit_reached
        or not session.has_limit
    ):
        return False
    reason = reached(session, progress(tx, energy_wh=energy_wh, now=now))
    if not reason:
        return False
    session.limit_reached = reason
    session.limit_reached_at = now
    session.save(update_fields=["limit_reached", "limit_reached_at", "updated_at"])
    audit.record(
        action="portal.session.limit_reached",
        actor_label="limits",
        target=session,
        data={"transaction": tx.pk, "reason": reason},
    )
    notifications.limit_reached(session)
    log.info("portal.limit_reached", transaction_pk=tx.pk, reason=reason)
    return True


def stop_for_limit(*, driver_session_pk: int) -> Command | None:
    """Send the remote stop (as the system) for a session whose limit was reached, without
    waiting for the answer: it is called from a meter value's commit callback (in eager Celery,
    inside the OCPP process's meter writer, where waiting would hold the batch up to the
    response timeout) and from the periodic check. The process holding the station's socket
    records the answer on the command, kept in `stop_command`; the periodic check sends again
    while the session runs. None when there is nothing to stop or nothing could be sent.
    """
    session = (
        DriverSession.objects.select_related("transaction", "stop_command")
        .filter(pk=driver_session_pk)
        .first()
    )
    tx = session.transaction if session is not None else None
    if session is None or tx is None or tx.state != Transaction.State.ACTIVE:
        return None
    previous = session.stop_command
    if previous is not None and not previous.finished:
        # Never answered (its wake-up lost, or the socket closed first): closed before the next
        # one goes out, so it cannot be sent late as well.
        bus.record_timeout(command_id=previous.pk)
    try:
        command = remote.request_remote_stop(
            station_id=tx.station_id, transaction_id=tx.transaction_id, caller=SYSTEM
        )
    except CommandError as err:
        # Offline or refused before sending: the periodic check sends it again.
        log.warning("portal.limit_stop_failed", transaction_pk=tx.pk, error=str(err))
        if err.command is not None:
            DriverSession.objects.filter(pk=session.pk).update(stop_command=err.command)
        return None
    DriverSession.objects.filter(pk=session.pk).update(stop_command=command)
    log.info("portal.limit_stop_sent", transaction_pk=tx.pk, command_id=command.pk)
    return command


def limits_to_send(*, transaction_pk: int) -> questions.TransactionLimits | None:
    """The session's limits when they differ from those last sent (recorded as sent here),
    else None. Limits taken away after being sent go out as no limits at all."""
    with transaction.atomic():
        # Locked: two events of one session (replays on two sockets) send a change once.
        session = (
            DriverSession.objects.select_for_update(of=("self",))
            .select_related("transaction")
            .filter(transaction_id=transaction_pk)
            .first()
        )
        if session is None or session.transaction is None:
            return None
        wanted = _limits(session)
        record = _sent_record(wanted)
        if record == session.limit_sent or (not record and session.limit_sent is None):
            return None
        session.limit_sent = record
        session.save(update_fields=["limit_sent", "updated_at"])
    log.info("portal.transaction_limit_sent", transaction_pk=transaction_pk, limit=record)
    return wanted


# --- helpers ---------------------------------------------------------------------------------


def _limits(session: DriverSession) -> questions.TransactionLimits:
    # A station prices a session only with a tariff: cost limits go out once tariffs exist.
    tx = session.transaction
    priced = tx is not None and cost.cost_so_far(tx) is not None
    return questions.TransactionLimits(
        energy_wh=session.limit_energy_wh,
        duration_seconds=None if session.limit_minutes is None else session.limit_minutes * 60,
        cost=session.limit_cost if priced else None,
    )


def _sent_record(limits: questions.TransactionLimits) -> dict[str, Any]:
    """What `limit_sent` keeps of limits told to a station (JSON numbers)."""
    record: dict[str, Any] = {}
    if limits.energy_wh is not None:
        record["energy_wh"] = _json_number(limits.energy_wh)
    if limits.duration_seconds is not None:
        record["duration_seconds"] = limits.duration_seconds
    if limits.cost is not None:
        record["cost"] = _json_number(limits.cost)
    return record


def _validate(
    tx: Transaction,
    energy: Decimal | None,
    minutes: int | None,
    money: Decimal | None,
    now: datetime,
) -> None:
    if energy is not None:
        if energy <= 0:
            raise LimitInvalid(_(ENERGY_NOT_POSITIVE), "energy_wh")
        if energy > MAX_ENERGY_WH:
            raise LimitInvalid(_(ENERGY_TOO_HIGH), "energy_wh")
        done = energy_so_far(tx)
        if done is not None and done >= energy:
            raise LimitInvalid(
                _(ENERGY_ALREADY_REACHED) % {"kwh": units.plain(done / 1000)},
                "energy_wh",
            )
    if minutes is not None:
        if minutes < 1:
            raise LimitInvalid(_(MINUTES_NOT_POSITIVE), "minutes")
        if minutes > MAX_MINUTES:
            raise LimitInvalid(_(MINUTES_TOO_HIGH), "minutes")
        if tx.started_at is not None:
            elapsed = int((now - tx.started_at).total_seconds() // 60)
            if elapsed >= minutes:
                raise LimitInvalid(_(MINUTES_ALREADY_REACHED) % {"minutes": elapsed}, "minutes")
    if money is not None:
        if money <= 0:
            raise LimitInvalid(_(COST_NOT_POSITIVE), "cost")
        if money > MAX_COST:
            raise LimitInvalid(_(COST_TOO_HIGH), "cost")


def _decimal(value: Decimal | int | None, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise LimitInvalid(_("Enter a number."), field) from None
    if not number.is_finite():
        raise LimitInvalid(_("Enter a number."), field)
    return number


def _json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number the station reads (whole values as integers)."""
    return int(value) if value == value.to_integral_value() else float(value)
