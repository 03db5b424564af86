"""How OCPP code reaches the ORM from the event loop.

Not `database_sync_to_async`'s default (thread_sensitive): that runs every query of the
process on one thread, so stations wait in line for each other's round trips (measured: the
one database thread saturated while the event loop idled). A pool of OCPP_DB_THREADS threads,
each with its own persistent connection, overlaps them. Order within a station is kept by
the consumer, which answers one CALL at a time; rows shared by concurrent calls are locked by
the services (select_for_update).

Not asgiref's SyncToAsync either: each call through it (context copies there and back,
thread-sensitivity checks, a shielded future) cost the event loop more than the handler's
own OCPP work, profiled under the 2,000-station bench. `run_db` keeps what the handlers rely
on: the caller's context variables in the thread, Django's connection checks before and
after (as `database_sync_to_async`), and the thread-local asgiref reads so that an
`async_to_sync` inside a service reaches this event loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import close_old_connections

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


def run_db(func: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """`func` as a coroutine function running on the OCPP database threads."""

    @functools.wraps(func)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        job = functools.partial(context.run, _in_thread, loop, func, args, kwargs)
        return await loop.run_in_executor(_pool(), job)

    return call


def _in_thread(
    loop: asyncio.AbstractEventLoop,
    func: Callable[..., R],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> R:
    # What SyncToAsync's thread handler sets: async_to_sync in here runs on `loop`.
    SyncToAsync.threadlocal.main_event_loop = loop
    SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()
    close_old_connections()
    try:
        return func(*args, **kwargs)
    finally:
        close_old_connections()
