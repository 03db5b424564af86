"""How OCPP code reaches the ORM from the event loop.

Not `database_sync_to_async`'s default (thread_sensitive): that runs every query of the
process on one thread, so stations wait in line for each other's round trips (measured: the
one database thread saturated while the event loop idled). OCPP_DB_THREADS threads, each with
its own persistent connection, overlap them. Order within a station is kept by the consumer,
which answers one CALL at a time; rows shared by concurrent calls are locked by the services
(select_for_update).

Not asgiref's SyncToAsync nor `loop.run_in_executor` either: profiled under the 2,000-station
bench, the event loop spent more on each hop through them (context copies there and back, a
concurrent Future with its condition and lock, the chaining of two futures) than on the
handler's own OCPP work. Here a hop is one put on a queue and one callback back to the loop.
`run_db` keeps what the handlers rely on: the caller's context variables in the thread,
Django's connection checks before and after (as `database_sync_to_async`), and the asgiref
thread-locals by which an `async_to_sync` inside a service reaches this event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import os
import queue
import threading
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import close_old_connections

P = ParamSpec("P")
R = TypeVar("R")


def run_db(func: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """`func` as a coroutine function running on the OCPP database threads."""

    @functools.wraps(func)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        _threads.submit((loop, future, contextvars.copy_context(), func, args, kwargs))
        return await future

    return call


_Job = tuple[
    asyncio.AbstractEventLoop,
    asyncio.Future[Any],
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
    dict[str, Any],
]


class _DatabaseThreads:
    """OCPP_DB_THREADS threads taking jobs from one queue, started on the first job.

    Daemon threads: a process that exits mid-job drops its connection, PostgreSQL rolls the
    transaction back, and the charger, never answered, sends the message again (the graceful
    stop lets the jobs of CALLs already taken finish first).
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._started = False
        self._lock = threading.Lock()

    def submit(self, job: _Job) -> None:
        if not self._started:
            self._start()
        self._jobs.put(job)

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            for n in range(settings.OCPP_DB_THREADS):
                threading.Thread(target=self._work, name=f"ocpp-db_{n}", daemon=True).start()
            self._started = True

    def _work(self) -> None:
        while True:
            loop, future, context, func, args, kwargs = self._jobs.get()
            if future.cancelled():  # its caller went away before it started: nothing to do
                continue
            try:
                result = context.run(_in_thread, loop, func, args, kwargs)
            except BaseException as error:  # handed to the awaiting coroutine, whatever it is
                _settle_from_thread(loop, future, None, error)
            else:
                _settle_from_thread(loop, future, result, None)


_threads = _DatabaseThreads()


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


def _settle_from_thread(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    error: BaseException | None,
) -> None:
    # A loop closed meanwhile (a test's, a stopped server's) has nobody left to tell.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(_settle, future, result, error)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # cancelled while the job ran
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
