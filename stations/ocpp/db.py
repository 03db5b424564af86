"""How OCPP code reaches the ORM from the event loop.

Not `database_sync_to_async`'s default (thread_sensitive): that runs every query of the
process on one thread, so stations wait in line for each other's round trips (measured: the
one database thread saturated while the event loop idled). A pool of OCPP_DB_THREADS threads,
each with its own persistent connection, overlaps them. Order within a station is kept by
the consumer, which answers one CALL at a time; rows shared by concurrent calls are locked by
the services (select_for_update).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from channels.db import DatabaseSyncToAsync
from django.conf import settings

P = ParamSpec("P")
R = TypeVar("R")

_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(
            max_workers=settings.OCPP_DB_THREADS, thread_name_prefix="ocpp-db"
        )
    return _executor


def run_db(func: Callable[P, R]) -> Callable[P, Any]:
    """`func` as a coroutine function running on the OCPP database threads."""
    return DatabaseSyncToAsync(func, thread_sensitive=False, executor=_pool())
