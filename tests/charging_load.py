"""Chargers charging back to back, and the check that what they sent is stored exactly once.

For fault tests (a worker killed, the database or Redis away): each charger runs sessions of a
start, meter values (two readings of three sampled values per frame) with Heartbeats between
them, and a stop; 1.6 as StartTransaction / MeterValues / StopTransaction, 2.0.1 as
TransactionEvents. Every reading carries its own timestamp and every 2.0.1 event its
(transactionId, seqNo): those keys make "exactly once" checkable row by row.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from stations.models import MeterValue, Station, Transaction, TransactionEvent
from tests.resending_charger import ResendingCharger, SentCall

METER_FRAMES_PER_SESSION = 4
READINGS_PER_FRAME = 2
BASE = datetime(2026, 1, 5, 10, tzinfo=UTC)
V16, V201 = "ocpp1.6", "ocpp2.0.1"


def stamp(second: int) -> str:
    return (BASE + timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%SZ")


def parsed(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass
class Load:
    """What drives one charger: its own clock (one second per reading) and energy register."""

    charger: ResendingCharger
    tag: str
    stopping: asyncio.Event
    charging: asyncio.Event = field(default_factory=asyncio.Event)
    clock: itertools.count[int] = field(default_factory=itertools.count)
    energy_wh: int = 0

    def tick(self) -> str:
        return stamp(next(self.clock))

    def samples(self) -> tuple[int, int, int]:
        """Energy register (Wh), power (W), current (A): distinct per reading."""
        self.energy_wh += 10
        return self.energy_wh, 7000 + self.energy_wh % 97, 30 + self.energy_wh % 7


def reading16(load: Load) -> dict[str, Any]:
    energy, power, current = load.samples()
    return {
        "timestamp": load.tick(),
        "sampledValue": [
            {"value": str(energy), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            {"value": str(power), "measurand": "Power.Active.Import", "unit": "W"},
            {"value": str(current), "measurand": "Current.Import", "unit": "A"},
        ],
    }


def reading201(load: Load) -> dict[str, Any]:
    energy, power, current = load.samples()
    return {
        "timestamp": load.tick(),
        "sampledValue": [
            {
                "value": energy,
                "measurand": "Energy.Active.Import.Register",
                "unitOfMeasure": {"unit": "Wh"},
            },
            {"value": power, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "W"}},
            {"value": current, "measurand": "Current.Import", "unitOfMeasure": {"unit": "A"}},
        ],
    }


def event201(
    load: Load, tx_id: str, seq_no: int, event_type: str, trigger: str, readings: int
) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "timestamp": load.tick(),
        "triggerReason": trigger,
        "seqNo": seq_no,
        "transactionInfo": {"transactionId": tx_id},
        "meterValue": [reading201(load) for _ in range(readings)],
    }


async def charge(load: Load) -> None:
    """Charge until `load.stopping` is set, then end the session and leave."""
    await (charge16 if load.charger.subprotocol == V16 else charge201)(load)


async def charge16(load: Load) -> None:
    cp = load.charger
    await cp.call("BootNotification", {"chargePointVendor": "Sigkill", "chargePointModel": "L"})
    status = {"connectorId": 1, "errorCode": "NoError"}
    await cp.call("StatusNotification", {**status, "status": "Available"})
    while not load.stopping.is_set():
        start = {"connectorId": 1, "idTag": load.tag, "meterStart": load.energy_wh}
        started = await cp.call(
            "StartTransaction", {**start, "timestamp": load.tick()}, transactional=True
        )
        if started is None:
            return  # no transaction id to go on with: the checks say why
        load.charging.set()
        tx_id = started["transactionId"]
        await cp.call("StatusNotification", {**status, "status": "Charging"})
        for _ in range(METER_FRAMES_PER_SESSION):
            if load.stopping.is_set():
                break
            frame = [reading16(load) for _ in range(READINGS_PER_FRAME)]
            await cp.call(
                "MeterValues",
                {"connectorId": 1, "transactionId": tx_id, "meterValue": frame},
                transactional=True,
            )
            await cp.call("Heartbeat", {})
        stop = {"transactionId": tx_id, "meterStop": load.energy_wh, "idTag": load.tag}
        await cp.call(
            "StopTransaction",
            {**stop, "timestamp": load.tick(), "reason": "Local"},
            transactional=True,
        )
        await cp.call("StatusNotification", {**status, "status": "Available"})
    await cp.close()


async def charge201(load: Load) -> None:
    cp = load.charger
    boot = {"chargingStation": {"model": "L", "vendorName": "Sigkill"}, "reason": "PowerUp"}
    await cp.call("BootNotification", boot)
    connector = {"evseId": 1, "connectorId": 1}
    await cp.call(
        "StatusNotification",
        {**connector, "connectorStatus": "Available", "timestamp": load.tick()},
    )
    for session in itertools.count():
        if load.stopping.is_set():
            break
        tx_id, seq_no = f"{cp.identity}-{session}", itertools.count()
        started = event201(load, tx_id, next(seq_no), "Started", "Authorized", readings=1)
        started["transactionInfo"]["chargingState"] = "Charging"
        started["evse"] = {"id": 1, "connectorId": 1}
        started["idToken"] = {"idToken": load.tag, "type": "ISO14443"}
        await cp.call("TransactionEvent", started, transactional=True)
        load.charging.set()
        for _ in range(METER_FRAMES_PER_SESSION):
            if load.stopping.is_set():
                break
            updated = event201(
                load, tx_id, next(seq_no), "Updated", "MeterValuePeriodic", READINGS_PER_FRAME
            )
            await cp.call("TransactionEvent", updated, transactional=True)
            await cp.call("Heartbeat", {})
        ended = event201(load, tx_id, next(seq_no), "Ended", "StopAuthorized", readings=1)
        ended["transactionInfo"].update(chargingState="Idle", stoppedReason="Local")
        await cp.call("TransactionEvent", ended, transactional=True)
    await cp.close()


def check_stored_exactly_once(charger: ResendingCharger) -> None:
    """Every transaction message the charger sent is stored once, whole (answered ones
    certainly, others whole or not at all), and nothing it did not send."""
    station = Station.objects.get(identity=charger.identity)
    if charger.subprotocol == V16:
        _check_v16(station, charger.calls)
    else:
        _check_v201(station, charger.calls)


def _meter_rows(station: Station) -> dict[datetime, list[MeterValue]]:
    rows: dict[datetime, list[MeterValue]] = {}
    for row in MeterValue.objects.filter(station=station):
        rows.setdefault(row.timestamp, []).append(row)
    return rows


def _stored_samples(row: MeterValue) -> set[tuple[str, Decimal]]:
    return {(s["measurand"], Decimal(str(s["value"]))) for s in row.sampled_values}


def _sent_samples(reading: dict[str, Any]) -> set[tuple[str, Decimal]]:
    return {(s["measurand"], Decimal(str(s["value"]))) for s in reading["sampledValue"]}


def _check_readings(
    rows: dict[datetime, list[MeterValue]],
    sent: SentCall,
    *,
    stored: bool | None,
    transaction: Transaction | None,
) -> bool:
    """The frame's readings are all stored once (True) or none is (False): never a part, never
    twice. `stored` says which it must be, when known."""
    readings = sent.payload.get("meterValue", [])
    found = [rows.get(parsed(r["timestamp"]), []) for r in readings]
    counts = [len(f) for f in found]
    assert counts in ([1] * len(readings), [0] * len(readings)), (sent.payload, counts)
    whole = bool(readings) and counts[0] == 1
    if stored is not None and readings:
        assert whole is stored, (sent.action, sent.payload, counts)
    for reading, (row, *_) in zip(readings, found, strict=True) if whole else ():
        assert _stored_samples(row) == _sent_samples(reading), sent.payload
        assert transaction is not None and row.transaction_id == transaction.pk, sent.payload
    return whole


def _check_v16(station: Station, calls: list[SentCall]) -> None:
    transactions = list(Transaction.objects.filter(station=station))
    twice = [at for at, n in Counter(tx.started_at for tx in transactions).items() if n > 1]
    assert twice == [], station.identity  # no start stored twice
    by_id = {tx.transaction_id: tx for tx in transactions}
    rows = _meter_rows(station)
    readings_sent: set[datetime] = set()
    starts = [c for c in calls if c.action == "StartTransaction"]
    for start in starts:
        tx = next(
            (t for t in transactions if t.started_at == parsed(start.payload["timestamp"])), None
        )
        if start.answered:
            assert tx is not None and tx.transaction_id == str(start.answer["transactionId"])
            assert tx.meter_start_wh == start.payload["meterStart"]
    # Every transaction stored is one a charger started (none made up by a stop, say).
    assert {tx.started_at for tx in transactions} <= {
        parsed(s.payload["timestamp"]) for s in starts
    }
    for sent in calls:
        if sent.action == "MeterValues":
            tx = by_id.get(str(sent.payload["transactionId"]))
            _check_readings(rows, sent, stored=True if sent.answered else None, transaction=tx)
            readings_sent |= {parsed(r["timestamp"]) for r in sent.payload["meterValue"]}
        elif sent.action == "StopTransaction":
            tx = by_id[str(sent.payload["transactionId"])]
            stopped = parsed(sent.payload["timestamp"])
            if sent.answered or tx.stopped_at is not None:
                assert tx.stopped_at == stopped, station.identity
                assert tx.state == Transaction.State.COMPLETED
                assert tx.meter_stop_wh == sent.payload["meterStop"]
    # Every reading stored is one a charger sent, and only once.
    assert set(rows) <= readings_sent, station.identity
    assert all(len(found) == 1 for found in rows.values()), station.identity


def _check_v201(station: Station, calls: list[SentCall]) -> None:
    transactions = {tx.transaction_id: tx for tx in Transaction.objects.filter(station=station)}
    events = {
        (e.transaction.transaction_id, e.seq_no): e
        for e in TransactionEvent.objects.filter(transaction__station=station).select_related(
            "transaction"
        )
    }
    rows = _meter_rows(station)
    sent_keys, readings_sent = set(), set()
    for sent in calls:
        if sent.action != "TransactionEvent":
            continue
        key = (sent.payload["transactionInfo"]["transactionId"], sent.payload["seqNo"])
        sent_keys.add(key)
        readings_sent |= {parsed(r["timestamp"]) for r in sent.payload["meterValue"]}
        event = events.get(key)
        if sent.answered:
            assert event is not None, (station.identity, key)
        if event is not None:
            assert event.event_type == sent.payload["eventType"], key
            assert event.timestamp == parsed(sent.payload["timestamp"]), key
        # An event and its readings are one: both stored, or neither.
        _check_readings(rows, sent, stored=event is not None, transaction=transactions.get(key[0]))
        if sent.payload["eventType"] == "Ended" and event is not None:
            tx = transactions[key[0]]
            assert tx.state == Transaction.State.COMPLETED, key
            assert tx.stopped_at == parsed(sent.payload["timestamp"]), key
    # Nothing stored that no charger sent.
    assert set(events) <= sent_keys, station.identity
    assert set(transactions) <= {tx_id for tx_id, _ in sent_keys}, station.identity
    assert set(rows) <= readings_sent, station.identity
    assert all(len(found) == 1 for found in rows.values()), station.identity
