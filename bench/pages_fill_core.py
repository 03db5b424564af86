"""What the page benchmark's fill steps share: the plan, the state, COPY and key helpers."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

ADMIN_USERNAME = "bench-admin"
OPERATOR_USERNAME = "bench-operator"
PASSWORD = "bench-pages-password"  # noqa: S105 - a throwaway bench database
# The operator sees this many sites (the admin sees all).
OPERATOR_SITES = 5
# Stations look connected through this worker: its beat lies far ahead, so the server's own
# beat never expires it and `connections.live()` keeps its rows.
WORKER_NAME = "pagesbench-fill"
# Sessions with many meter values, so a session page and its series get a worst case.
LONG_SESSIONS = 10
LONG_SESSION_VALUES = 2000
LONG_SESSIONS_FROM = 100_000  # meter values in all
PBKDF2_ITERATIONS = 1_000_000  # Django 5.2's default


@dataclass(frozen=True)
class Plan:
    """How much to fill; the other tables scale with the stations."""

    stations: int = 10_000
    meter_values: int = 1_000_000
    sites: int = 50
    days: int = 30
    seed: int = 5
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    @property
    def transactions(self) -> int:
        return self.stations * 5

    @property
    def id_tokens(self) -> int:
        return self.stations * 2

    @property
    def status_events(self) -> int:
        return self.stations * 20

    @property
    def message_log(self) -> int:
        return self.stations * 20

    @property
    def commands(self) -> int:
        return self.stations * 2


@dataclass(slots=True)
class StationRow:
    pk: int
    identity: str
    site_pk: int
    version: str
    max_power_w: int
    online: bool
    evse_pks: list[int] = field(default_factory=list)
    connector_pks: list[int] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SessionRow:
    pk: int
    station: StationRow
    evse_no: int  # 1-based, as the station numbers them
    started: datetime
    stopped: datetime | None
    meter_start: int
    energy_wh: int
    power_w: int
    id_tag: str
    tx_id: str
    values: int = 0


@dataclass
class FillState:
    """What later steps need from earlier ones (ids, the generated sessions)."""

    plan: Plan
    rng: random.Random
    site_pks: list[int] = field(default_factory=list)
    user_pks: dict[str, int] = field(default_factory=dict)
    stations: list[StationRow] = field(default_factory=list)
    tokens: list[tuple[int, str]] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)


Step = Callable[[psycopg.Cursor[Any], FillState], int]


def password_hash(password: str, *, salt: str = "pagesbenchsalt0") -> str:
    """Django's pbkdf2_sha256 format, so the server signs the bench users in."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), PBKDF2_ITERATIONS)
    return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${salt}${base64.b64encode(digest).decode()}"


def dedup_key(
    evse_id: int, connector_id: int | None, transaction_pk: int | None, ts: datetime, samples: Any
) -> str:
    """The key `metering._dedup_key` computes for a meter value row."""
    raw = json.dumps(
        [evse_id, connector_id, transaction_pk, ts.isoformat(), samples],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(raw.encode()).hexdigest()


# --- helpers ---------------------------------------------------------------------------------


def first_id(cur: psycopg.Cursor[Any], table: str) -> int:
    row = cur.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()  # noqa: S608
    return int(row[0]) if row else 1


def copy_rows(cur: psycopg.Cursor[Any], table: str, columns: str, rows: Any) -> int:
    """COPY `rows` into `table`, then move its id sequence past the largest id."""
    count = 0
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    cur.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
        f" (SELECT coalesce(max(id), 1) FROM {table}))"
    )
    return count


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def ago(state: FillState, *, at_most: timedelta) -> datetime:
    seconds = int(at_most.total_seconds() * state.rng.random())
    return state.plan.now - timedelta(seconds=seconds)


def month(state: FillState) -> timedelta:
    return timedelta(days=state.plan.days)
