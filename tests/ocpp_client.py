"""Play a charger in tests: the `ocpp` package's client side over `websockets`."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import websockets
from ocpp.v16 import ChargePoint as ChargePoint16

from tests.factories.stations import STATION_PASSWORD
from tests.server import LiveOcppServer


def basic_auth(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@contextlib.asynccontextmanager
async def raw_socket(
    server: LiveOcppServer,
    identity: str,
    *,
    password: str | None = STATION_PASSWORD,
    subprotocols: tuple[str, ...] = ("ocpp1.6",),
    suffix: str = "",
) -> AsyncIterator[websockets.ClientConnection]:
    headers = basic_auth(identity, password) if password is not None else {}
    async with websockets.connect(
        server.ws_url(identity, suffix),
        subprotocols=list(subprotocols),
        additional_headers=headers,
        open_timeout=10,
        max_size=None,
    ) as ws:
        yield ws


@contextlib.asynccontextmanager
async def charger16(
    server: LiveOcppServer, identity: str, *, password: str | None = STATION_PASSWORD
) -> AsyncIterator[ChargePoint16]:
    """An OCPP 1.6 charge point connected to the live server, its receive loop running."""
    async with raw_socket(server, identity, password=password) as ws:
        cp = ChargePoint16(identity, ws, response_timeout=10)
        task = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await task


async def exchange(ws: websockets.ClientConnection, frame: Any, timeout: float = 10) -> list:
    """Send one frame (a list is JSON-encoded, a str sent as is) and return the decoded reply."""
    await ws.send(frame if isinstance(frame, str) else json.dumps(frame))
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def no_reply(ws: websockets.ClientConnection, wait: float = 0.5) -> bool:
    try:
        await asyncio.wait_for(ws.recv(), wait)
    except TimeoutError:
        return True
    return False


async def eventually(check: Callable[[], Any], timeout: float = 10, interval: float = 0.05) -> Any:
    """Poll `check` (a sync DB read) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(interval)
