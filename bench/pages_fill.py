"""Fill a migrated back-office database with an operator's workload, fast (PostgreSQL COPY).

Plain psycopg 3, no Django: `steps()` gives one (table, step) pair per table in dependency
order; each step writes its rows through `cursor.copy` with ids it assigns itself (so rows can
reference each other without reading them back) and moves the table's id sequence past them.
The caller decides about commits (bench/pages.py commits and times each step; the test runs
them inside its own transaction). Rows have the shape the services write: a meter value is one
meterValue element with its sampled values as JSON and the same dedup key as
`stations.services.charging.metering._dedup_key`.
"""

from __future__ import annotations

import random
from typing import Any

import pages_fill_logs as logs
import pages_fill_network as network
import pages_fill_sessions as sessions
import psycopg
from pages_fill_core import (
    ADMIN_USERNAME,
    OPERATOR_SITES,
    OPERATOR_USERNAME,
    PASSWORD,
    FillState,
    Plan,
    Step,
    dedup_key,
    password_hash,
)

__all__ = [
    "ADMIN_USERNAME",
    "OPERATOR_SITES",
    "OPERATOR_USERNAME",
    "PASSWORD",
    "FillState",
    "Plan",
    "dedup_key",
    "fill",
    "new_state",
    "password_hash",
    "steps",
]


def steps() -> list[tuple[str, Step]]:
    """(table label, step) in dependency order; each step returns the rows it wrote."""
    return [
        ("sites", network.sites),
        ("users, staff profiles", network.users),
        ("stations", network.stations),
        ("EVSEs, connectors", network.evses),
        ("connections", network.connections),
        ("id tokens", network.id_tokens),
        ("transactions", sessions.transactions),
        ("transaction events", sessions.transaction_events),
        ("meter values", sessions.meter_values),
        ("status events", logs.status_events),
        ("message log", logs.message_log),
        ("commands", logs.commands),
    ]


def new_state(plan: Plan) -> FillState:
    return FillState(plan=plan, rng=random.Random(plan.seed))


def fill(cursor: psycopg.Cursor[Any], plan: Plan) -> dict[str, int]:
    """Every step in one go (no commits); rows written per table label."""
    state = new_state(plan)
    return {label: step(cursor, state) for label, step in steps()}
