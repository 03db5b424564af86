"""Transactions: started, stopped, replayed, offline. Nothing changes twice, nothing is lost.

1.6 StartTransaction is deduplicated on its business key (station, connector, idTag,
timestamp, meterStart) because a replay may carry a new message id; StopTransaction is
idempotent on the transaction id (PROTOCOL.md, "the zero-loss contract").
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import datetime
from decimal import Decimal

import structlog
from django.db import IntegrityError, transaction

from backoffice.lib import inserts, raw_sql
from stations import events
from stations.models import Connector, Transaction
from stations.services.charging import authorization, metering, session_events, topology
from stations.services.charging.session_events import DRIVER, driver_of
from stations.services.types import EvseRef, IdTokenInfo, MeterReading, StartResult

log = structlog.get_logger(__name__)

# Anomaly codes kept in Transaction.anomalies for operators.
STOP_WITHOUT_START = "stop_without_start"
NAIVE_TIMESTAMP = "naive_timestamp"
SUPERSEDED = "superseded_without_stop"
START_NOT_ACCEPTED = "start_not_accepted"

_MAX_V16_ID = 2**31 - 1
# What a stop writes (the rest of the row as the start and the meter values left it).
_STOP_FIELDS = ("state", "stopped_at", "meter_stop_wh", "stop_id_tag", "stop_reason", "anomalies")


def start_v16(
    *,
    station_id: int,
    evse: EvseRef,
    id_tag: str,
    meter_start_wh: Decimal,
    started_at: datetime,
    reservation_id: int | None = None,
    anomalies: tuple[str, ...] = (),
) -> StartResult:
    """Open a transaction and assign its id; a replayed start returns the same id.

    The back office assigns random ids (not a sequence) so one station cannot guess another's.
    A transaction still active on the same connector is closed as superseded.
    """
    key = _start_key(station_id, evse, id_tag, started_at, meter_start_wh)
    with transaction.atomic():
        # The connector lock serialises concurrent starts (and replays) on one connector.
        slot = _locked_connector(station_id, evse, key)
        if slot.replayed_pk is not None:
            existing = Transaction.objects.get(pk=slot.replayed_pk)
            return StartResult(
                transaction_id=existing.transaction_id,
                id_token_info=_replayed_info(existing),
                replayed=True,
            )
        info = authorization.authorize(id_tag=id_tag, station_id=station_id)
        if slot.busy:
            _supersede_active(connector_id=slot.connector_pk)
        found = list(anomalies)
        if info.status != authorization.ACCEPTED:
            found.append(START_NOT_ACCEPTED)
        tx = Transaction(
            station_id=station_id,
            evse_id=slot.evse_pk,
            connector_id=slot.connector_pk,
            id_tag=id_tag,
            id_token_id=info.token_pk,
            auth_status=info.status,
            reservation_id=reservation_id,
            started_at=started_at,
            meter_start_wh=meter_start_wh,
            start_key=key,
            anomalies=found,
        )
        _save_with_new_id(tx)
        events.announce(
            events.TransactionStarted(
                station_id=station_id,
                transaction_pk=tx.pk,
                evse_id=evse.evse_id,
                id_tag=id_tag,
                driver_id=info.owner_id,
                at=started_at,
            )
        )
        events.announce(session_events.updated(tx, driver_id=info.owner_id))
        if reservation_id is not None:
            events.announce(
                events.ReservationUsed(
                    station_id=station_id, reservation_id=reservation_id, transaction_pk=tx.pk
                )
            )
    log.info("transaction.started", station_id=station_id, transaction_id=tx.transaction_id)
    return StartResult(transaction_id=tx.transaction_id, id_token_info=info)


def stop(
    *,
    station_id: int,
    transaction_id: str,
    meter_stop_wh: Decimal,
    stopped_at: datetime,
    id_tag: str | None = None,
    reason: str = "",
    readings: tuple[MeterReading, ...] = (),
    evse: EvseRef | None = None,
    anomalies: tuple[str, ...] = (),
) -> IdTokenInfo | None:
    """Close a transaction. Idempotent: a second stop changes nothing and gets the same answer.

    A stop for a transaction never started here (offline charging, or a 1.6 station that
    never got an id and sends -1) is kept as a completed transaction flagged
    `stop_without_start`, so its energy is not lost.
    """
    if transaction_id.lstrip("-").isdigit() and int(transaction_id) <= 0:
        # No real id: make one from the stop itself, so each such stop is kept once.
        digest = hashlib.sha256(f"{stopped_at.isoformat()}|{meter_stop_wh}|{id_tag}".encode())
        transaction_id = f"offline-{digest.hexdigest()[:20]}"
    with transaction.atomic():
        # Locked: a duplicate stop arriving on a second connection waits and then sees it done.
        tx: Transaction | None = (
            Transaction.objects.select_for_update(of=("self",))
            .filter(station_id=station_id, transaction_id=transaction_id)
            .annotate(driver_id=DRIVER)
            .first()
        )
        if tx is None:
            tx = _create_unstarted(station_id, transaction_id, id_tag, evse)
        if readings:
            metering.record(station_id=station_id, transaction=tx, evse=evse, readings=readings)
        if tx.stopped_at is None:
            tx.state = Transaction.State.COMPLETED
            tx.stopped_at = stopped_at
            tx.meter_stop_wh = meter_stop_wh
            tx.stop_id_tag = id_tag or ""
            tx.stop_reason = reason
            tx.anomalies = sorted({*tx.anomalies, *anomalies})
            tx.save(update_fields=[*_STOP_FIELDS, "updated_at"])
            driver_id = driver_of(tx)
            events.announce(session_events.updated(tx, driver_id=driver_id))
            events.announce(session_events.ended(tx, driver_id=driver_id))
            log.info("transaction.stopped", station_id=station_id, transaction_id=transaction_id)
        else:
            log.info(
                "transaction.stop_replayed", station_id=station_id, transaction_id=transaction_id
            )
    if not id_tag:
        return None
    return authorization.authorize(
        id_tag=id_tag, station_id=station_id, exclude_transaction_pk=tx.pk
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _Slot:
    """A start's connector, locked, and what the start needs to know of it."""

    connector_pk: int
    evse_pk: int
    # The transaction this very start already made (a replay).
    replayed_pk: int | None
    # A session is active on the connector (to be superseded).
    busy: bool


# The connector of a start, locked, with the transaction this start already made (a replay)
# and whether a session is active there. Uses index: evse_unique_per_station,
# connector_unique_per_evse, the transaction's start_key and connector indexes.
_SLOT_SQL = """
SELECT c.id, c.evse_id,
    (SELECT r.id FROM stations_transaction r
     WHERE r.station_id = %(station)s AND r.start_key = %(key)s LIMIT 1),
    EXISTS (SELECT 1 FROM stations_transaction a
            WHERE a.connector_id = c.id AND a.state = %(active)s)
FROM stations_connector c JOIN stations_evse e ON e.id = c.evse_id
WHERE e.station_id = %(station)s AND e.evse_id = %(evse)s AND c.connector_id = %(connector)s
"""


def _locked_connector(station_id: int, evse: EvseRef, start_key: str) -> _Slot:
    """The connector, locked, with the replayed transaction and the active-session check in
    the same SELECT (hand-written: raw_sql's docstring says why)."""
    sql = _SLOT_SQL + raw_sql.for_update_of("c")
    params = {
        "station": station_id,
        "key": start_key,
        "active": Transaction.State.ACTIVE.value,
        "evse": evse.evse_id,
        "connector": topology.connector_number(evse),
    }
    row = raw_sql.fetch_one(sql, params)
    if row is None:
        # The connector's first mention: created, then read as above.
        topology.create(station_id=station_id, evse=evse)
        row = raw_sql.fetch_one(sql, params)
    if row is None:
        raise Connector.DoesNotExist(f"connector {evse} of station {station_id}")
    connector_pk, evse_pk, replayed_pk, busy = row
    return _Slot(
        connector_pk=connector_pk, evse_pk=evse_pk, replayed_pk=replayed_pk, busy=bool(busy)
    )


def _create_unstarted(
    station_id: int, transaction_id: str, id_tag: str | None, evse: EvseRef | None
) -> Transaction:
    connector = (
        topology.connector_for(station_id=station_id, evse=evse) if evse is not None else None
    )
    log.warning(
        "transaction.stop_without_start", station_id=station_id, transaction_id=transaction_id
    )
    return Transaction.objects.create(
        station_id=station_id,
        transaction_id=transaction_id,
        evse_id=connector.evse_id if connector else None,
        connector=connector,
        id_tag=id_tag or "",
        id_token_id=authorization.token_pk(id_tag) if id_tag else None,
        state=Transaction.State.COMPLETED,
        anomalies=[STOP_WITHOUT_START],
    )


def _supersede_active(*, connector_id: int) -> None:
    """A new start on a connector means the previous session there ended without a stop."""
    for tx in Transaction.objects.select_for_update().filter(
        connector_id=connector_id, state=Transaction.State.ACTIVE
    ):
        tx.state = Transaction.State.COMPLETED
        tx.anomalies = sorted({*tx.anomalies, SUPERSEDED})
        # stopped_at stays empty: a late StopTransaction still fills in the real end.
        tx.save(update_fields=["state", "anomalies", "updated_at"])
        log.warning("transaction.superseded", transaction_pk=tx.pk)


def _save_with_new_id(tx: Transaction) -> None:
    for _ in range(10):
        tx.transaction_id = str(secrets.randbelow(_MAX_V16_ID) + 1)
        # ON CONFLICT DO NOTHING: no savepoint round trips to survive a collision.
        if inserts.insert_unless_conflict(tx):
            return
        # an id this station already used: draw again
    raise IntegrityError("could not draw a free transaction id")


def _replayed_info(tx: Transaction) -> IdTokenInfo:
    """The answer to a replayed start: the decision as it stands now (cache expiry, group), the
    replayed transaction itself not counting as a concurrent one. A start refused the first
    time stays refused (the transaction was kept as not accepted, unwatched): a token approved
    since does not turn it into a session the row says was refused."""
    info = authorization.authorize(
        id_tag=tx.id_tag, station_id=tx.station_id, exclude_transaction_pk=tx.pk
    )
    if tx.auth_status and tx.auth_status != authorization.ACCEPTED:
        return dataclasses.replace(info, status=tx.auth_status)
    return info


def _start_key(
    station_id: int, evse: EvseRef, id_tag: str, started_at: datetime, meter_start: Decimal
) -> str:
    raw = "|".join(
        str(part)
        for part in (
            station_id,
            evse.evse_id,
            evse.connector_id,
            id_tag,
            started_at.isoformat(),
            meter_start,
        )
    )
    return hashlib.sha256(raw.encode()).hexdigest()
