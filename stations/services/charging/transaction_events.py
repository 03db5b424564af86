"""OCPP 2.x TransactionEvent into the same Transaction model as 1.6.

Transaction ids are the station's own. Every event is kept once under its business key
(station, transactionId, seqNo): a replay, with a new message id or `offline=true`, changes
nothing twice; events may arrive out of order and with gaps (E12: stations drop Updated events
under memory pressure), so each one only moves the transaction forward where it is newer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import structlog
from django.db import transaction

from backoffice.lib import inserts, raw_sql, updates
from backoffice.lib.units import parse_decimal, to_wh
from stations import events, questions
from stations.models import Command, Transaction, TransactionEvent
from stations.services.charging import authorization, metering, session_events, topology
from stations.services.charging.session_events import driver_of
from stations.services.types import EvseRef, IdTokenInfo, MeterReading

log = structlog.get_logger(__name__)

STARTED, UPDATED, ENDED = "Started", "Updated", "Ended"
EVENTS_BEFORE_START = "events_before_start"
IMPORT_REGISTER = "Energy.Active.Import.Register"
EXPORT_REGISTER = "Energy.Active.Export.Register"


@dataclass(frozen=True, slots=True)
class TransactionEventData:
    event_type: str
    transaction_id: str
    seq_no: int
    timestamp: datetime
    trigger_reason: str
    offline: bool = False
    charging_state: str | None = None
    stopped_reason: str | None = None
    # The station stopped at a limit it was told ("energy", "time", "cost"), else "".
    stopped_at_limit: str = ""
    remote_start_id: int | None = None
    reservation_id: int | None = None
    evse: EvseRef | None = None
    id_token: str | None = None
    # 2.x idToken.type (NoAuthorization carries an empty idToken).
    id_token_type: str | None = None
    readings: tuple[MeterReading, ...] = ()
    anomalies: tuple[str, ...] = ()
    payload: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class EventOutcome:
    # The id token's status when the event carries one.
    id_token_info: IdTokenInfo | None
    # What other domains say applies (asked with `ask_terms`), for the adapter to render.
    terms: questions.TransactionTerms | None = None


def record(*, station_id: int, event: TransactionEventData) -> IdTokenInfo | None:
    """Apply one TransactionEvent; return the id token's status when the event carries one."""
    return record_event(station_id=station_id, event=event).id_token_info


def record_event(
    *, station_id: int, event: TransactionEventData, ask_terms: bool = False
) -> EventOutcome:
    """Apply one TransactionEvent; the outcome holds what the response carries (with
    `ask_terms`, what other domains say applies to the session: `questions.transaction_terms`).

    Idempotent on (station, transactionId, seqNo). Never refuses: odd sequences (an Updated
    before its Started, events after Ended) are kept and flagged.
    """
    with transaction.atomic():
        # Locked: a replay racing the original on another connection waits and then sees it.
        tx = _locked(station_id, event.transaction_id)
        if tx is None:
            tx = _new(station_id, event)
            if event.event_type == ENDED:
                # Ended first (rare): stored bare, then applied like any other session's end,
                # so its meter values are recorded before the end (none count as after it).
                tx.save(force_insert=True)
                info = _update(tx, event)
            else:
                info = _create(tx, event)
        else:
            info = _update(tx, event)
    terms = None
    if ask_terms and event.event_type != ENDED:
        context = questions.TransactionContext(
            station_id=station_id, transaction_pk=tx.pk, driver_id=driver_of(tx)
        )
        terms = questions.transaction_terms(context)
    if event.id_token is None:
        return EventOutcome(None, terms)
    if info is None:
        info = authorization.authorize(
            id_tag=event.id_token,
            station_id=station_id,
            token_type=event.id_token_type,
            exclude_transaction_pk=tx.pk,
        )
    return EventOutcome(info, terms)


# The session, locked, with whose it is (the events carry it; no query of its own) and where
# (meter values without an EVSE of their own are the session's). Hand-written: raw_sql says
# why. Uses index: the transaction's (station, transaction_id) key.
_LOCKED_SQL = """
SELECT t.*, k.user_id AS driver_id, e.evse_id AS evse_number, c.connector_id AS connector_number
FROM stations_transaction t
LEFT JOIN accounts_idtoken k ON k.id = t.id_token_id
LEFT JOIN stations_connector c ON c.id = t.connector_id
LEFT JOIN stations_evse e ON e.id = c.evse_id
WHERE t.station_id = %(station)s AND t.transaction_id = %(transaction)s
"""


def _locked(station_id: int, transaction_id: str) -> Transaction | None:
    sql = _LOCKED_SQL + raw_sql.for_update_of("t")
    params = {"station": station_id, "transaction": transaction_id}
    return next(iter(Transaction.objects.raw(sql, params)), None)


def _new(station_id: int, event: TransactionEventData) -> Transaction:
    """The row of a transaction first heard of in `event` (not saved)."""
    connector_pk, evse_pk = (
        topology.connector_ids(station_id=station_id, evse=_with_connector(event.evse))
        if event.evse is not None
        else (None, None)
    )
    return Transaction(
        station_id=station_id,
        transaction_id=event.transaction_id,
        evse_id=evse_pk,
        connector_id=connector_pk,
        started_at=event.timestamp,
        anomalies=[] if event.event_type == STARTED else [EVENTS_BEFORE_START],
    )


def _create(tx: Transaction, event: TransactionEventData) -> IdTokenInfo | None:
    """Insert the new `tx` with `event` already applied: one INSERT, no UPDATE after it.
    Returns the token's decision when the event carried one (the answer reuses it)."""
    # Not stored yet, so the row cannot count as a concurrent session of its own token.
    applied = _apply(tx, event)
    tx.save(force_insert=True)
    _store_event(tx, event)
    _record_meter_values(tx, event)
    _announce(tx, event, applied, previous_charging_state="", had_token=False)
    return applied.id_token_info


def _update(tx: Transaction, event: TransactionEventData) -> IdTokenInfo | None:
    """Apply `event` to the locked `tx` unless it is a replay; write only the columns it
    changed (none: no UPDATE). Returns the token's decision when this event made one."""
    if not _store_event(tx, event):
        log.info(
            "transaction_event.replayed",
            transaction_id=event.transaction_id,
            seq_no=event.seq_no,
        )
        return None
    _record_meter_values(tx, event)
    before = _columns(tx)
    charging_state, had_token = tx.charging_state, bool(tx.id_tag)
    applied = _apply(tx, event)
    changed = [name for name, value in _columns(tx).items() if before[name] != value]
    if changed:
        updates.save_columns(tx, [*changed, "updated_at"])
    _announce(tx, event, applied, previous_charging_state=charging_state, had_token=had_token)
    return applied.id_token_info


def _record_meter_values(tx: Transaction, event: TransactionEventData) -> None:
    if event.readings:
        metering.record(
            station_id=tx.station_id,
            transaction=tx,
            evse=event.evse or _evse_of(tx),
            readings=event.readings,
        )


# The columns an event may change (the key, the 1.6 start key and the timestamps never).
_WRITABLE = tuple(
    field
    for field in Transaction._meta.concrete_fields
    if field.name
    not in {"id", "station", "transaction_id", "start_key", "created_at", "updated_at"}
)


def _columns(tx: Transaction) -> dict[str, object]:
    """The row's writable values, by field name (what `save(update_fields=...)` takes)."""
    return {field.name: getattr(tx, field.attname) for field in _WRITABLE}


def _announce(
    tx: Transaction,
    event: TransactionEventData,
    applied: _Applied,
    *,
    previous_charging_state: str,
    had_token: bool,
) -> None:
    """The session's events for one applied TransactionEvent: started, updated, ended (and
    the reservation it used, first)."""
    if applied.reservation_id is not None:
        events.announce(
            events.ReservationUsed(
                station_id=tx.station_id,
                reservation_id=applied.reservation_id,
                transaction_pk=tx.pk,
            )
        )
    driver_id = driver_of(tx)
    if event.event_type == STARTED:
        evse_id = event.evse.evse_id if event.evse is not None else None
        events.announce(
            events.TransactionStarted(
                station_id=tx.station_id,
                transaction_pk=tx.pk,
                evse_id=evse_id,
                id_tag=tx.id_tag,
                driver_id=driver_id,
                at=event.timestamp,
            )
        )
    # Arrived after the start (E03: an Updated after plug-in); a start's token is the start's.
    token_added = event.event_type != STARTED and not had_token and bool(tx.id_tag)
    events.announce(
        session_events.updated(
            tx, driver_id=driver_id, token_added=token_added, previous=previous_charging_state
        )
    )
    if event.event_type == ENDED:
        ended = session_events.ended(
            tx, driver_id=driver_id, stopped_at_limit=event.stopped_at_limit
        )
        events.announce(ended)


def missing_seq_nos(tx: Transaction) -> list[int]:
    """Sequence numbers between the first and the last event that never arrived."""
    seen = sorted(tx.events.values_list("seq_no", flat=True))
    if not seen:
        return []
    present = set(seen)
    return [n for n in range(seen[0], seen[-1] + 1) if n not in present]


def _store_event(tx: Transaction, event: TransactionEventData) -> bool:
    """Store the event once; False when (transaction, seqNo) is already there (a replay).

    One INSERT ... ON CONFLICT DO NOTHING decides and stores; the caller holds the
    transaction's row lock, so a racing replay waits and then conflicts.
    """
    return inserts.insert_unless_conflict(
        TransactionEvent(
            transaction=tx,
            seq_no=event.seq_no,
            event_type=event.event_type,
            trigger_reason=event.trigger_reason,
            timestamp=event.timestamp,
            offline=event.offline,
            charging_state=event.charging_state or "",
            id_token=event.id_token or "",
            payload=event.payload or {},
        )
    )


@dataclass(frozen=True, slots=True)
class _Applied:
    """What applying an event decided besides the row's columns."""

    # The token's decision, when the event brought the session its token.
    id_token_info: IdTokenInfo | None = None
    # The reservation the event put the session on (ReservationUsed, once the row is saved).
    reservation_id: int | None = None


def _apply(tx: Transaction, event: TransactionEventData) -> _Applied:
    """Move the row forward by `event` where it is newer (in memory; the caller writes)."""
    info = None
    reservation_id = None
    newest = tx.last_event_at is None or event.timestamp >= tx.last_event_at
    if event.event_type == STARTED or (tx.started_at and event.timestamp < tx.started_at):
        tx.started_at = event.timestamp
    if event.event_type == STARTED and EVENTS_BEFORE_START in tx.anomalies:
        # Only out of order: the start did come.
        tx.anomalies = [a for a in tx.anomalies if a != EVENTS_BEFORE_START]
    if event.evse is not None and tx.connector_id is None:
        tx.connector_id, tx.evse_id = topology.connector_ids(
            station_id=tx.station_id, evse=_with_connector(event.evse)
        )
    if event.id_token and not tx.id_tag:
        # The token may arrive in any event (e.g. an Updated after plug-in, E03).
        info = authorization.authorize(
            id_tag=event.id_token,
            station_id=tx.station_id,
            token_type=event.id_token_type,
            exclude_transaction_pk=tx.pk,
        )
        tx.id_tag, tx.auth_status = event.id_token, info.status
        tx.id_token_id = info.token_pk
        tx.__dict__["driver_id"] = info.owner_id
    if event.remote_start_id is not None and tx.remote_start_id != event.remote_start_id:
        tx.remote_start_id = event.remote_start_id
        tx.remote_start_command = _remote_start_command(tx.station_id, event.remote_start_id)
    if event.reservation_id is not None and tx.reservation_id != event.reservation_id:
        tx.reservation_id = reservation_id = event.reservation_id
    if newest:
        tx.last_event_at = event.timestamp
        if event.charging_state:
            tx.charging_state = event.charging_state
    if event.event_type == ENDED:
        tx.state = Transaction.State.COMPLETED
        tx.stopped_at = event.timestamp
        tx.stop_reason = event.stopped_reason or ""
    _apply_registers(tx, event.readings)
    tx.anomalies = sorted({*tx.anomalies, *event.anomalies})
    return _Applied(id_token_info=info, reservation_id=reservation_id)


def _apply_registers(tx: Transaction, readings: tuple[MeterReading, ...]) -> None:
    """Track the first and last import/export register values: energy both ways (V2X)."""
    for reading in sorted(readings, key=lambda r: r.timestamp):
        imported = _register(reading, IMPORT_REGISTER)
        exported = _register(reading, EXPORT_REGISTER)
        if imported is None and exported is None:
            continue
        earliest = tx.started_at is None or reading.timestamp <= tx.started_at
        if imported is not None and (tx.meter_start_wh is None or earliest):
            tx.meter_start_wh = imported
        if exported is not None and (tx.export_start_wh is None or earliest):
            tx.export_start_wh = exported
        if tx.meter_read_at is None or reading.timestamp >= tx.meter_read_at:
            tx.meter_read_at = reading.timestamp
            if imported is not None:
                tx.meter_stop_wh = imported
            if exported is not None:
                tx.export_stop_wh = exported


def _register(reading: MeterReading, measurand: str) -> Decimal | None:
    for sample in reading.samples:
        # A register without phase is the total; no measurand means the import register.
        if (sample.measurand or IMPORT_REGISTER) == measurand and not sample.phase:
            value = parse_decimal(sample.value)
            return to_wh(value, sample.unit) if value is not None else None
    return None


def _with_connector(evse: EvseRef) -> EvseRef:
    return evse if evse.connector_id is not None else EvseRef(evse.evse_id, 1)


def _evse_of(tx: Transaction) -> EvseRef | None:
    if tx.__dict__.get("evse_number") is not None:  # read with the row (`_locked`)
        return EvseRef(tx.__dict__["evse_number"], tx.__dict__["connector_number"])
    connector = tx.connector
    if connector is None:
        return None
    return EvseRef(connector.evse.evse_id, connector.connector_id)


def _remote_start_command(station_id: int, remote_start_id: int) -> Command | None:
    """The RequestStartTransaction that asked for this session (its follow-up, issue 4)."""
    return (
        Command.objects.filter(
            station_id=station_id,
            action="RequestStartTransaction",
            payload__remoteStartId=remote_start_id,
        )
        .order_by("-created_at")
        .first()
    )
