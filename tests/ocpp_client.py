"""Play a charger in tests: the `ocpp` package's client side over `websockets`."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import ssl as ssl_module
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import websockets
from ocpp.exceptions import NotImplementedError as OcppNotImplemented
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v21 import call as call21
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201

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
    ssl: ssl_module.SSLContext | None = None,
) -> AsyncIterator[websockets.ClientConnection]:
    """A socket to `server.ws_url(...)`; `ssl` is the client's TLS context for a wss:// URL."""
    headers = basic_auth(identity, password) if password is not None else {}
    async with websockets.connect(
        server.ws_url(identity, suffix),
        subprotocols=list(subprotocols),
        additional_headers=headers,
        open_timeout=10,
        max_size=None,
        ssl=ssl,
    ) as ws:
        yield ws


_CLIENTS = {"ocpp1.6": ChargePoint16, "ocpp2.0.1": ChargePoint201, "ocpp2.1": ChargePoint21}


@contextlib.asynccontextmanager
async def charger(
    server: LiveOcppServer,
    identity: str,
    *,
    subprotocol: str = "ocpp1.6",
    password: str | None = STATION_PASSWORD,
    client_class: type | None = None,
    ssl: ssl_module.SSLContext | None = None,
) -> AsyncIterator[Any]:
    """A charging station of `subprotocol` connected to the live server, its loop running.

    `client_class` (an `ocpp` ChargePoint subclass with @on handlers) answers the back
    office's commands; the default answers none.
    """
    async with raw_socket(
        server, identity, password=password, subprotocols=(subprotocol,), ssl=ssl
    ) as ws:
        assert ws.subprotocol == subprotocol
        cp = (client_class or _CLIENTS[subprotocol])(identity, ws, response_timeout=10)
        task = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await task


@contextlib.asynccontextmanager
async def booted(server: LiveOcppServer, identity: str, **kw: Any) -> AsyncIterator[Any]:
    """`charger(...)` after an accepted BootNotification of its version."""
    async with charger(server, identity, **kw) as cp:
        if cp._ocpp_version == "1.6":
            boot = call16.BootNotification(charge_point_vendor="A", charge_point_model="B")
        else:
            calls = call201 if cp._ocpp_version == "2.0.1" else call21
            boot = calls.BootNotification(
                charging_station={"model": "M", "vendor_name": "V"}, reason="PowerUp"
            )
        await cp.call(boot)
        yield cp


class Refusing21(ChargePoint21):
    """The `ocpp` package's 2.1 client leaves a CALL it has no handler for unanswered (its
    1.6/2.0.1 clients answer NotImplemented): this one says NotImplemented itself."""

    async def _handle_call(self, msg: Any) -> Any:
        if msg.action in self.route_map:
            return await super()._handle_call(msg)
        raise OcppNotImplemented(details={"cause": f"No handler for {msg.action} registered."})


# A charger of each subprotocol that answers a command it has no handler for with CALLERROR
# NotImplemented, as a charger without the feature does.
REFUSING_CLIENTS = {"ocpp1.6": ChargePoint16, "ocpp2.0.1": ChargePoint201, "ocpp2.1": Refusing21}


def charger16(server: LiveOcppServer, identity: str, **kw: Any) -> Any:
    return charger(server, identity, subprotocol="ocpp1.6", **kw)


def charger201(server: LiveOcppServer, identity: str, **kw: Any) -> Any:
    return charger(server, identity, subprotocol="ocpp2.0.1", **kw)


def charger21(server: LiveOcppServer, identity: str, **kw: Any) -> Any:
    return charger(server, identity, subprotocol="ocpp2.1", **kw)


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


async def in_thread(service: Callable[..., Any], **kwargs: Any) -> Any:
    # The services are for sync callers (views, API, tasks): run them in a thread as they would.
    return await asyncio.to_thread(service, **kwargs)
