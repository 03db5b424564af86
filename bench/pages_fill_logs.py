"""Fill steps for what stations and operators leave behind: status events, frames, commands."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import psycopg
from pages_fill_core import (
    ADMIN_USERNAME,
    FillState,
    ago,
    copy_rows,
    first_id,
    month,
    new_uuid,
)

_COMMANDS = {
    "1.6": [
        ("Reset", {"type": "Soft"}),
        ("UnlockConnector", {"connector_id": 1}),
        ("ChangeAvailability", {"connector_id": 1, "type": "Inoperative"}),
        ("TriggerMessage", {"requested_message": "StatusNotification"}),
    ],
    "2.x": [
        ("Reset", {"type": "Immediate"}),
        ("UnlockConnector", {"evse_id": 1, "connector_id": 1}),
        ("ChangeAvailability", {"operational_status": "Operative"}),
        ("TriggerMessage", {"requested_message": "Heartbeat"}),
    ],
}
_COMMAND_STATES = {"answered": 85, "timed_out": 5, "offline": 6, "call_error": 4}


def status_events(cur: psycopg.Cursor[Any], state: FillState) -> int:
    rng, plan = state.rng, state.plan
    first = first_id(cur, "stations_statusevent")
    cycle = ["Preparing", "Charging", "SuspendedEV", "Charging", "Finishing", "Available"]
    per_station = plan.status_events // max(1, len(state.stations))

    def rows() -> Any:
        pk = first
        for st in state.stations:
            at = plan.now - month(state)
            for n in range(per_station):
                at += timedelta(seconds=rng.randint(60, 2 * 86400 * plan.days // per_station))
                status = "Faulted" if rng.random() < 0.01 else cycle[n % len(cycle)]
                error = "GroundFailure" if status == "Faulted" else "NoError"
                evse_no = 1 + n % len(st.evse_pks)
                yield (
                    pk,
                    evse_no,
                    1,
                    status,
                    error,
                    "",
                    "",
                    "",
                    at,
                    at + timedelta(seconds=1),
                    True,
                    st.pk,
                )
                pk += 1

    columns = (
        "id, evse_id, connector_id, status, error_code, info, vendor_id, vendor_error_code,"
        " timestamp, received_at, applied, station_id"
    )
    return copy_rows(cur, "stations_statusevent", columns, rows())


def message_log(cur: psycopg.Cursor[Any], state: FillState) -> int:
    rng, plan = state.rng, state.plan
    first = first_id(cur, "stations_messagelog")
    pairs = plan.message_log // max(1, len(state.stations)) // 2

    def rows() -> Any:
        pk = first
        for st in state.stations:
            for _ in range(pairs):
                at = ago(state, at_most=month(state))
                message_id = new_uuid(rng)
                action, request, answer = rng.choice(
                    [
                        ("Heartbeat", "{}", json.dumps({"currentTime": at.isoformat()})),
                        (
                            "StatusNotification",
                            '{"connectorId":1,"errorCode":"NoError","status":"Available"}',
                            "{}",
                        ),
                        (
                            "MeterValues",
                            '{"connectorId":1,"meterValue":[{"timestamp":"'
                            + at.isoformat()
                            + '","sampledValue":[{"value":"1234.5"}]}]}',
                            "{}",
                        ),
                    ]
                )
                yield (
                    pk,
                    st.identity,
                    "in",
                    2,
                    message_id,
                    action,
                    f'[2,"{message_id}","{action}",{request}]',
                    at,
                )
                yield (
                    pk + 1,
                    st.identity,
                    "out",
                    3,
                    message_id,
                    action,
                    f'[3,"{message_id}",{answer}]',
                    at + timedelta(milliseconds=40),
                )
                pk += 2

    columns = "id, station_identity, direction, message_type, message_id, action, frame, created_at"
    return copy_rows(cur, "stations_messagelog", columns, rows())


def commands(cur: psycopg.Cursor[Any], state: FillState) -> int:
    rng, plan = state.rng, state.plan
    first = first_id(cur, "stations_command")
    per_station = plan.commands // max(1, len(state.stations))
    actor = state.user_pks.get(ADMIN_USERNAME)
    states, weights = list(_COMMAND_STATES), list(_COMMAND_STATES.values())

    def rows() -> Any:
        pk = first
        for st in state.stations:
            for _ in range(per_station):
                action, payload = rng.choice(_COMMANDS["1.6" if st.version == "1.6" else "2.x"])
                outcome = rng.choices(states, weights=weights)[0]
                created = ago(state, at_most=month(state))
                status = rng.choice(["Accepted", "Accepted", "Rejected"])
                answered = outcome == "answered"
                finished = created + timedelta(seconds=30 if outcome == "timed_out" else 0.4)
                yield (
                    pk,
                    action,
                    json.dumps(payload),
                    outcome,
                    new_uuid(rng),
                    json.dumps({"status": status}) if answered else None,
                    status if answered else "",
                    "NotImplemented" if outcome == "call_error" else "",
                    "",
                    "operator",
                    created,
                    None if outcome == "offline" else created,
                    finished,
                    actor,
                    st.pk,
                    None,
                )
                pk += 1

    columns = (
        "id, action, payload, state, message_id, response, result_status, error_code,"
        " error_description, actor_label, created_at, sent_at, finished_at, actor_id,"
        " station_id, timeout_seconds"
    )
    return copy_rows(cur, "stations_command", columns, rows())
