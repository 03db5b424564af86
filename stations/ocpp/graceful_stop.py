"""What a worker does with its stations when told to stop (SIGTERM), before the server exits.

Nothing acknowledged may be lost (PROTOCOL.md), and a restart should not look like a crash:
1. take no new CALL (a charger sends it again after reconnecting) and let those being
   handled be answered, CALLS_FINISH_SECONDS at most;
2. close every OCPP socket with 1012 (Service Restart), so chargers reconnect at once instead
   of treating a dropped connection as a failure; each consumer's disconnect() then removes
   its connection from the registry (CLOSE_HANDSHAKE_SECONDS at most, else the registry beat
   of another process sweeps it);
3. store the message log's buffer, which holds the last second of frames.
Meter values and other writes a CALL waits for are committed before its answer, so step 1
covers them. New upgrades meanwhile get HTTP 503 (retry), not a socket about to be dropped.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

import structlog

from backoffice.daphne_patches import graceful_stop as server_stop

from .message_log import writer as message_log

log = structlog.get_logger(__name__)

CLOSE_SERVICE_RESTART = 1012
# Each step's bound; together within server_stop.MAX_STOP_SECONDS.
CALLS_FINISH_SECONDS = 5.0
CLOSE_HANDSHAKE_SECONDS = 2.0
LOG_FLUSH_SECONDS = 2.5


class StationSocket(Protocol):
    def stop_taking_calls(self) -> asyncio.Task[None]: ...

    async def close_socket(self, code: int) -> None: ...

    async def wait_disconnected(self) -> None: ...


class _Sockets:
    """This process's OCPP sockets with a session, and whether it is stopping."""

    def __init__(self) -> None:
        self.open: set[StationSocket] = set()
        self.stopping = False


sockets = _Sockets()


async def stop_serving() -> None:
    sockets.stopping = True
    started = time.monotonic()
    held = list(sockets.open)
    log.info("ocpp.stopping", sockets=len(held))
    _, unfinished = await _wait([s.stop_taking_calls() for s in held], CALLS_FINISH_SECONDS)
    for socket in held:
        await socket.close_socket(CLOSE_SERVICE_RESTART)
    _, unclosed = await _wait(
        [asyncio.ensure_future(s.wait_disconnected()) for s in held], CLOSE_HANDSHAKE_SECONDS
    )
    for waiter in unclosed:
        waiter.cancel()
    try:
        await asyncio.wait_for(message_log.flush(), LOG_FLUSH_SECONDS)
    except TimeoutError:
        log.warning("message_log.final_flush_timed_out", seconds=LOG_FLUSH_SECONDS)
    log.info(
        "ocpp.stopped",
        sockets=len(held),
        calls_unfinished=len(unfinished),
        closes_unanswered=len(unclosed),
        seconds=round(time.monotonic() - started, 3),
    )


async def _wait(
    tasks: list[asyncio.Future[None]], timeout: float
) -> tuple[set[asyncio.Future[None]], set[asyncio.Future[None]]]:
    """asyncio.wait, for none too; never cancels what it waits for."""
    if not tasks:
        return set(), set()
    return await asyncio.wait(tasks, timeout=timeout)


server_stop.before_stop(stop_serving)
