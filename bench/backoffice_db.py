"""The bench database: recreated, migrated and seeded per run; its rows counted afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgresql://postgres@127.0.0.1:5432/"
REDIS_URL = "redis://127.0.0.1:6379/0"

# Counted tables: the label the report uses -> SQL.
_TABLES = {
    "meter values": "SELECT count(*) FROM stations_metervalue",
    "status events": "SELECT count(*) FROM stations_statusevent",
    "message log": "SELECT count(*) FROM stations_messagelog",
}
# Counted per OCPP version of the station: (version, labels...) rows; labels get " <version>".
_BY_VERSION = {
    ("stations",): (
        "SELECT ocpp_version, count(*) FROM stations_station"
        " WHERE ocpp_version <> '' GROUP BY ocpp_version"
    ),
    ("transactions", "completed"): (
        "SELECT s.ocpp_version, count(*), count(*) FILTER (WHERE t.state = 'completed')"
        " FROM stations_transaction t JOIN stations_station s ON s.id = t.station_id"
        " GROUP BY s.ocpp_version"
    ),
    ("transaction events",): (
        "SELECT s.ocpp_version, count(*) FROM stations_transactionevent e"
        " JOIN stations_transaction t ON t.id = e.transaction_id"
        " JOIN stations_station s ON s.id = t.station_id GROUP BY s.ocpp_version"
    ),
}
# Rows that should not exist after a clean run.
_CHECKS = {
    "transactions with anomalies": (
        "SELECT count(*) FROM stations_transaction WHERE anomalies::text <> '[]'"
    ),
    "transactions without stop time": (
        "SELECT count(*) FROM stations_transaction WHERE stopped_at IS NULL"
    ),
    "meter values without transaction": (
        "SELECT count(*) FROM stations_metervalue WHERE transaction_id IS NULL"
    ),
    "meter values after stop": "SELECT count(*) FROM stations_metervalue WHERE after_stop",
    "status events not applied": "SELECT count(*) FROM stations_statusevent WHERE NOT applied",
    "connections still registered": "SELECT count(*) FROM stations_stationconnection",
    "stations without last_seen_at": (
        "SELECT count(*) FROM stations_station WHERE last_seen_at IS NULL"
    ),
}


# Rows stored more than once, each counted beyond its first: (what, the columns that make a
# row unique as the generator sends it). Every frame of a station has its own message id, every
# meter value and status its own millisecond, every station one transaction per run.
_DUPLICATES = {
    "transactions": ("stations_transaction", "station_id"),
    "transaction events": ("stations_transactionevent", "transaction_id, seq_no"),
    "meter values": (
        "stations_metervalue",
        "station_id, evse_id, connector_id, timestamp, transaction_id",
    ),
    "status events": (
        "stations_statusevent",
        "station_id, evse_id, connector_id, status, timestamp",
    ),
    "message log": (
        "stations_messagelog",
        "station_identity, direction, message_type, message_id",
    ),
}


@dataclass(frozen=True)
class RowCounts:
    tables: dict[str, int]
    checks: dict[str, int]
    duplicates: dict[str, int]


def database_url(name: str) -> str:
    return PG_URL + name


def server_env(database: str, *, redis: bool = True) -> dict[str, str]:
    """The server's environment; without `redis` it runs on the in-memory channel layer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_ALLOW_ASYNC")}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="backoffice.settings",
        DATABASE_URL=database_url(database).replace("postgresql://", "postgres://"),
        CHANNEL_PREFIX="bench",
        LOG_LEVEL="WARNING",
    )
    if redis:
        env["REDIS_URL"] = REDIS_URL
    return env


def recreate(database: str) -> None:
    """Drop and create the bench database (its name must say bench: it is wiped every run)."""
    if "bench" not in database:
        raise ValueError(
            f"refusing to wipe {database!r}: the bench database name must hold 'bench'"
        )
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        name = sql.Identifier(database)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def migrate_and_seed(database: str, stations: int, password: str) -> None:
    env = server_env(database)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    subprocess.run(  # noqa: S603 - our own interpreter and seed script
        [
            sys.executable,
            str(Path(__file__).with_name("seed_backoffice.py")),
            "--stations",
            str(stations),
            "--password",
            password,
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )


def count_rows(database: str) -> RowCounts:
    with psycopg.connect(database_url(database)) as conn:
        tables = {name: _scalar(conn, query) for name, query in _TABLES.items()}
        for labels, query in _BY_VERSION.items():
            for version, *counts in conn.execute(query).fetchall():
                tables.update(
                    (f"{label} {version}", n) for label, n in zip(labels, counts, strict=True)
                )
        checks = {name: _scalar(conn, query) for name, query in _CHECKS.items()}
        duplicates = {
            name: _scalar(conn, _duplicates_query(table, columns))
            for name, (table, columns) in _DUPLICATES.items()
        }
    return RowCounts(tables, checks, duplicates)


def _scalar(conn: psycopg.Connection, query: str) -> int:
    row = conn.execute(query).fetchone()
    return int(row[0]) if row else 0


def _duplicates_query(table: str, columns: str) -> str:
    return (
        f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {table}"  # noqa: S608
        f" GROUP BY {columns} HAVING count(*) > 1) AS repeated"
    )
