"""Hand-written SELECTs for the charger hot path, named from the models.

Building and compiling a queryset with subqueries, `Exists` and `select_for_update(of=...)`
costs the Python side several times what PostgreSQL spends running it: profiled under the
2,000-station bench (`../shared/notes/`), the ORM's query construction was the largest share
of a worker's CPU on the start and connect paths. The few statements run on every charger
message are written as SQL text beside the service that runs them (as `status.py` does),
and run through Django's cursor so the query counters, the transaction and the database
wrappers see them as before. The tests that drive those services hold the SQL to the models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection


def for_update_of(alias: str) -> str:
    """` FOR UPDATE OF alias` where the database can lock one table's rows (PostgreSQL);
    nothing on SQLite, whose writes are serialised anyway."""
    if connection.features.has_select_for_update_of:
        return f" FOR UPDATE OF {alias}"
    return ""


def fetch_one(sql: str, params: Sequence[Any] | Mapping[str, Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
