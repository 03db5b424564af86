"""Fill steps for the sessions: transactions, their 2.x events and their meter values."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import psycopg
from pages_fill_core import (
    LONG_SESSION_VALUES,
    LONG_SESSIONS,
    LONG_SESSIONS_FROM,
    FillState,
    SessionRow,
    StationRow,
    ago,
    copy_rows,
    dedup_key,
    first_id,
    month,
    new_uuid,
)

_CHARGING = frozenset({"Charging", "SuspendedEV"})


def _plan_sessions(state: FillState, first: int) -> None:
    """Active sessions on charging connectors, completed ones over the month, meter counts."""
    plan, rng = state.plan, state.rng
    tags = [token for _, token in state.tokens] or ["UNKNOWN"]

    def session(
        station: StationRow, evse_no: int, started: datetime, stopped: datetime | None
    ) -> SessionRow:
        end = stopped or plan.now
        power = int(station.max_power_w * rng.uniform(0.5, 0.95))
        energy = int(power * (end - started).total_seconds() / 3600 * rng.uniform(0.7, 1.0))
        pk = first + len(state.sessions)
        tx_id = str(pk) if station.version == "1.6" else new_uuid(rng)
        return SessionRow(
            pk,
            station,
            evse_no,
            started,
            stopped,
            rng.randint(100_000, 30_000_000),
            energy,
            power,
            rng.choice(tags),
            tx_id,
        )

    for station in state.stations:
        for evse_no, status in enumerate(station.statuses, start=1):
            if status in _CHARGING and len(state.sessions) < plan.transactions:
                started = ago(state, at_most=timedelta(hours=4)) - timedelta(minutes=5)
                state.sessions.append(session(station, evse_no, started, None))
    busy = [rng.paretovariate(1.5) for _ in state.stations]
    # The long sessions charge at the first site, which every bench user sees.
    first_site = [s for s in state.stations if s.site_pk == state.site_pks[0]] or state.stations
    completed = plan.transactions - len(state.sessions)
    for n, picked in enumerate(rng.choices(state.stations, weights=busy, k=completed)):
        long = n < LONG_SESSIONS
        station = rng.choice(first_site) if long else picked
        minutes = 16 * 60 if long else rng.randint(20, 240)
        started = ago(state, at_most=month(state)) - timedelta(minutes=minutes + 1)
        evse_no = rng.randint(1, len(station.evse_pks))
        state.sessions.append(
            session(station, evse_no, started, started + timedelta(minutes=minutes))
        )
    _allocate_meter_values(state)


def _allocate_meter_values(state: FillState) -> None:
    """Exactly `plan.meter_values` over the sessions, by duration; the long ones get many."""
    sessions, total = state.sessions, state.plan.meter_values
    long = [s for s in sessions if s.stopped and s.stopped - s.started >= timedelta(hours=16)]
    long = long[:LONG_SESSIONS] if total >= LONG_SESSIONS_FROM else []
    for s in long:
        s.values = LONG_SESSION_VALUES
    long_pks = {s.pk for s in long}
    rest = [s for s in sessions if s.pk not in long_pks]
    remaining = total - LONG_SESSION_VALUES * len(long)
    if not rest or remaining <= 0:
        return
    weights = [((s.stopped or state.plan.now) - s.started).total_seconds() for s in rest]
    scale = remaining / sum(weights)
    for s, w in zip(rest, weights, strict=True):
        s.values = int(w * scale)
    for s in state.rng.sample(rest, k=remaining - sum(s.values for s in rest)):
        s.values += 1


def transactions(cur: psycopg.Cursor[Any], state: FillState) -> int:
    rng, now = state.rng, state.plan.now
    first = first_id(cur, "stations_transaction")
    _plan_sessions(state, first)
    token_pks = {token: pk for pk, token in state.tokens}

    def rows() -> Any:
        for s in state.sessions:
            st = s.station
            v16 = st.version == "1.6"
            end = s.stopped or now
            yield (
                s.pk,
                s.tx_id,
                "completed" if s.stopped else "active",
                s.id_tag,
                "Accepted",
                None,
                s.started,
                s.stopped,
                s.meter_start,
                s.meter_start + s.energy_wh if s.stopped else None,
                "",
                rng.choice(["Local", "EVDisconnected", "Remote"]) if s.stopped else "",
                "",
                "[]",
                s.started,
                end,
                st.connector_pks[s.evse_no - 1],
                st.evse_pks[s.evse_no - 1],
                token_pks.get(s.id_tag),
                st.pk,
                "" if v16 else ("Idle" if s.stopped else "Charging"),
                None,
                None,
                None if v16 else end,
                end,
                None,
                None,
            )

    columns = (
        "id, transaction_id, state, id_tag, auth_status, reservation_id, started_at,"
        " stopped_at, meter_start_wh, meter_stop_wh, stop_id_tag, stop_reason, start_key,"
        " anomalies, created_at, updated_at, connector_id, evse_id, id_token_id, station_id,"
        " charging_state, export_start_wh, export_stop_wh, last_event_at, meter_read_at,"
        " remote_start_id, remote_start_command_id"
    )
    return copy_rows(cur, "stations_transaction", columns, rows())


def transaction_events(cur: psycopg.Cursor[Any], state: FillState) -> int:
    first = first_id(cur, "stations_transactionevent")
    ids = iter(range(first, first + 4 * len(state.sessions)))

    def rows() -> Any:
        for s in state.sessions:
            if s.station.version == "1.6":
                continue
            events = [
                ("Started", "Authorized", s.started, "EVConnected"),
                ("Updated", "ChargingStateChanged", s.started + timedelta(seconds=20), "Charging"),
            ]
            if s.stopped:
                events.append(("Ended", "EVCommunicationLost", s.stopped, "Idle"))
            for seq, (kind, trigger, at, charging) in enumerate(events):
                payload = {
                    "event_type": kind,
                    "timestamp": at.isoformat(),
                    "seq_no": seq,
                    "trigger_reason": trigger,
                    "evse": {"id": s.evse_no, "connector_id": 1},
                    "transaction_info": {"transaction_id": s.tx_id, "charging_state": charging},
                }
                yield (
                    next(ids),
                    seq,
                    kind,
                    trigger,
                    at,
                    False,
                    charging,
                    s.id_tag if seq == 0 else "",
                    json.dumps(payload),
                    at,
                    s.pk,
                )

    columns = (
        "id, seq_no, event_type, trigger_reason, timestamp, offline, charging_state, id_token,"
        " payload, received_at, transaction_id"
    )
    return copy_rows(cur, "stations_transactionevent", columns, rows())


def _samples(s: SessionRow, k: int, wh: int, power: int, context: str) -> list[dict[str, str]]:
    v16 = s.station.version == "1.6"
    extra = {"format": "Raw"} if v16 else {}
    amps = f"{power / 690:.1f}"
    samples = [
        {
            "value": str(wh),
            "measurand": "Energy.Active.Import.Register",
            "location": "Outlet",
            "unit": "Wh",
            "context": context,
            **extra,
        },
        {
            "value": str(power),
            "measurand": "Power.Active.Import",
            "location": "Outlet",
            "unit": "W",
            "context": context,
            **extra,
        },
        {
            "value": amps,
            "measurand": "Current.Import",
            "phase": "L1",
            "location": "Outlet",
            "unit": "A",
            "context": context,
            **extra,
        },
        {
            "value": f"{229 + k % 5}.{k % 10}",
            "measurand": "Voltage",
            "phase": "L1-N",
            "location": "Outlet",
            "unit": "V",
            "context": context,
            **extra,
        },
    ]
    if not v16:
        samples.append(
            {
                "value": str(min(100, 20 + k)),
                "measurand": "SoC",
                "location": "EV",
                "unit": "Percent",
                "context": context,
            }
        )
    return samples


def meter_values(cur: psycopg.Cursor[Any], state: FillState) -> int:
    rng, now = state.rng, state.plan.now
    first = first_id(cur, "stations_metervalue")
    dumps = json.dumps

    def rows() -> Any:
        pk = first
        for s in state.sessions:
            count = s.values
            if not count:
                continue
            end = s.stopped or now
            span = (end - s.started).total_seconds()
            for k in range(count):
                # A single reading is the session's last one.
                share = k / (count - 1) if count > 1 else 1
                ts = s.started + timedelta(seconds=int(share * span))
                wh = s.meter_start + int(s.energy_wh * share)
                if k == 0 and count > 1:
                    context = "Transaction.Begin"
                elif k == count - 1 and s.stopped:
                    context = "Transaction.End"
                else:
                    context = "Sample.Periodic"
                power = int(s.power_w * (0.9 + 0.1 * rng.random()))
                samples = _samples(s, k, wh, power, context)
                key = dedup_key(s.evse_no, 1, s.pk, ts, samples)
                yield (
                    pk,
                    s.evse_no,
                    1,
                    ts,
                    dumps(samples),
                    key,
                    False,
                    ts + timedelta(seconds=1),
                    s.station.pk,
                    s.pk,
                )
                pk += 1

    columns = (
        "id, evse_id, connector_id, timestamp, sampled_values, dedup_key, after_stop,"
        " received_at, station_id, transaction_id"
    )
    return copy_rows(cur, "stations_metervalue", columns, rows())
