"""Meter values: every sampled value kept with measurand, phase, location, unit and context.

One row per meterValue element; a replayed frame hits the (station, dedup_key) constraint and
is skipped, so nothing is stored twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from django.db import transaction as db_transaction

from backoffice.lib import inserts
from stations import events
from stations.models import MeterValue, Transaction
from stations.services.charging.session_events import DRIVER, driver_of
from stations.services.types import EvseRef, MeterReading

log = structlog.get_logger(__name__)

METER_VALUES_AFTER_STOP = "meter_values_after_stop"
UNKNOWN_TRANSACTION = "meter_values_for_unknown_transaction"


@dataclass(slots=True)
class PreparedValues:
    """The rows of one frame, ready to insert, and the transaction they belong to."""

    rows: list[MeterValue]
    transaction: Transaction | None
    # The frame as received, for the MeterValuesStored event.
    station_id: int
    evse_id: int
    readings: tuple[MeterReading, ...]

    @property
    def after_stop(self) -> bool:
        return any(row.after_stop for row in self.rows)


def record(
    *,
    station_id: int,
    readings: tuple[MeterReading, ...],
    evse: EvseRef | None,
    transaction: Transaction | None = None,
    transaction_id: str | None = None,
) -> int:
    """Store `readings` (once) against the transaction, found by object or by station's id.

    Values for a transaction that already ended are kept and flagged. Returns the number of
    readings handed in (duplicates included; they are skipped by the database).
    """
    prepared = prepare(
        station_id=station_id,
        readings=readings,
        evse=evse,
        transaction=transaction,
        transaction_id=transaction_id,
    )
    insert([prepared])
    return len(prepared.rows)


def prepare(
    *,
    station_id: int,
    readings: tuple[MeterReading, ...],
    evse: EvseRef | None,
    transaction: Transaction | None = None,
    transaction_id: str | None = None,
) -> PreparedValues:
    """Find the transaction (one query when given by id) and build the rows of a frame."""
    if transaction is None and transaction_id is not None:
        transaction = (
            Transaction.objects.filter(station_id=station_id, transaction_id=transaction_id)
            .only("pk", "station_id", "stopped_at", "anomalies", "id_token_id")
            # Whose session, read once here and kept on the object the adapter caches.
            .annotate(driver_id=DRIVER)
            .first()
        )
        if transaction is None:
            log.warning(
                "meter_values.unknown_transaction",
                station_id=station_id,
                transaction_id=transaction_id,
                anomaly=UNKNOWN_TRANSACTION,
            )
    stopped_at = transaction.stopped_at if transaction is not None else None
    evse_id = evse.evse_id if evse else 0
    connector_id = evse.connector_id if evse else None
    rows = [
        MeterValue(
            station_id=station_id,
            transaction=transaction,
            evse_id=evse_id,
            connector_id=connector_id,
            timestamp=reading.timestamp,
            sampled_values=samples,
            dedup_key=_dedup_key(evse_id, connector_id, transaction, reading.timestamp, samples),
            # Values taken after the end; a late, out-of-order event's older values are not.
            after_stop=stopped_at is not None and reading.timestamp > stopped_at,
        )
        for reading in readings
        if (samples := [s.as_dict() for s in reading.samples])
    ]
    return PreparedValues(
        rows=rows,
        transaction=transaction,
        station_id=station_id,
        evse_id=evse_id,
        readings=readings,
    )


def insert(frames: list[PreparedValues]) -> None:
    """Insert the rows of many frames in one statement and one commit; replays are skipped.

    Atomic: either every frame is stored or none is (the caller answers none of them then).
    """
    rows = [row for frame in frames for row in frame.rows]
    flagged = [
        frame.transaction
        for frame in frames
        if frame.transaction is not None
        and frame.after_stop
        and METER_VALUES_AFTER_STOP not in frame.transaction.anomalies
    ]
    if not flagged:
        # One statement is atomic by itself: no BEGIN and COMMIT round trips around it.
        inserts.insert_ignoring_conflicts(rows)
    else:
        # No savepoint when called inside a transaction (a TransactionEvent): all or nothing.
        with db_transaction.atomic(savepoint=False):
            inserts.insert_ignoring_conflicts(rows)
            for tx in flagged:
                if METER_VALUES_AFTER_STOP not in tx.anomalies:  # two frames of one session
                    tx.anomalies = [*tx.anomalies, METER_VALUES_AFTER_STOP]
                    Transaction.objects.filter(pk=tx.pk).update(anomalies=tx.anomalies)
    for frame in frames:
        _announce(frame)


def _announce(frame: PreparedValues) -> None:
    tx = frame.transaction
    stopped_at = tx.stopped_at if tx is not None else None
    readings = tuple(
        reading
        for reading in frame.readings
        if reading.samples and (stopped_at is None or reading.timestamp <= stopped_at)
    )
    events.announce(
        events.MeterValuesStored(
            station_id=frame.station_id,
            evse_id=frame.evse_id,
            transaction_pk=tx.pk if tx is not None else None,
            driver_id=driver_of(tx) if tx is not None else None,
            readings=readings,
        )
    )


def _dedup_key(
    evse_id: int,
    connector_id: int | None,
    transaction: Transaction | None,
    timestamp: datetime,
    samples: list[dict[str, Any]],
) -> str:
    raw = json.dumps(
        [
            evse_id,
            connector_id,
            transaction.pk if transaction else None,
            timestamp.isoformat(),
            samples,
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(raw.encode()).hexdigest()
