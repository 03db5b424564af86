"""A stop (SIGTERM) lets the application finish its work before daphne cancels it.

On SIGTERM Twisted fires the reactor's "before shutdown" triggers, and daphne's own trigger,
`kill_all_applications`, cancels every application instance at once: a station's CALL being
answered died half way ("Task was destroyed but it is pending!"), every socket was dropped
without a close frame (chargers saw 1006, not a restart) and whatever the application still
buffered was lost. Triggers of one phase all start together, so another trigger cannot run
before daphne's; the patch makes daphne's trigger first await the hooks registered with
`before_stop()` (concurrently, MAX_STOP_SECONDS at most in all), then cancel what is left.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

log = structlog.get_logger(__name__)

# Below the 35 s `serve --workers N` gives its workers before SIGKILL (and the
# TimeoutStopSec=40 of deploy/systemd): the hooks bound their own steps well within it.
MAX_STOP_SECONDS = 10.0

_hooks: list[Callable[[], Awaitable[None]]] = []


def before_stop(hook: Callable[[], Awaitable[None]]) -> None:
    """Run `hook` when the server is told to stop, before the applications are cancelled."""
    if hook not in _hooks:
        _hooks.append(hook)


async def run_hooks() -> None:
    """Every hook, together, bounded by MAX_STOP_SECONDS; a failing hook does not stop others."""
    try:
        results = await asyncio.wait_for(
            asyncio.gather(*(hook() for hook in _hooks), return_exceptions=True),
            MAX_STOP_SECONDS,
        )
    except TimeoutError:
        log.warning("server.stop_hooks_timed_out", seconds=MAX_STOP_SECONDS)
        return
    for result in results:
        if isinstance(result, BaseException):
            log.error("server.stop_hook_failed", exc_info=result)


def install() -> None:
    try:
        from daphne.server import Server
        from twisted.internet import defer
    except ImportError:  # another ASGI server
        return
    kill_all_applications = Server.kill_all_applications
    if getattr(kill_all_applications, "runs_stop_hooks", False):
        return

    def stop_then_kill(server: Any) -> Any:
        # Runs on the reactor's asyncio loop, which turns until the shutdown phase is over.
        stopped = defer.Deferred.fromFuture(asyncio.ensure_future(run_hooks()))
        stopped.addBoth(lambda _: kill_all_applications(server))
        return stopped

    stop_then_kill.runs_stop_hooks = True  # type: ignore[attr-defined]
    Server.kill_all_applications = stop_then_kill
