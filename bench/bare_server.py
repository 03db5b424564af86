"""The ceiling: a bare asyncio OCPP server, the `ocpp` package over `websockets`, no database.

It speaks 1.6, 2.0.1 and 2.1 (the subprotocol negotiated at the upgrade picks the `ocpp`
ChargePoint), answers what the load generator sends, accepts any station and any Basic auth,
and keeps nothing. The back office's figures are compared against it.
    .venv/bin/python bench/bare_server.py --port 9016
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import signal
from datetime import UTC, datetime
from typing import Any

import ocpp.v16
import ocpp.v21
import ocpp.v201
from limits import raise_open_file_limit
from ocpp.routing import on
from ocpp.v16 import call_result, datatypes
from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

# Highest first: a station offering several gets the highest (as the back office does).
SUBPROTOCOLS = ("ocpp2.1", "ocpp2.0.1", "ocpp1.6")
_ACCEPTED = datatypes.IdTagInfo(status=AuthorizationStatus.accepted)
_ACCEPTED_2X = {"status": "Accepted"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Bare16(ocpp.v16.ChargePoint):
    @on(Action.boot_notification)
    async def on_boot_notification(self, **_: Any) -> call_result.BootNotification:
        return call_result.BootNotification(
            current_time=_now(), interval=300, status=RegistrationStatus.accepted
        )

    @on(Action.heartbeat)
    async def on_heartbeat(self) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    async def on_status_notification(self, **_: Any) -> call_result.StatusNotification:
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, **_: Any) -> call_result.Authorize:
        return call_result.Authorize(id_tag_info=_ACCEPTED)

    @on(Action.start_transaction)
    async def on_start_transaction(self, **_: Any) -> call_result.StartTransaction:
        return call_result.StartTransaction(
            transaction_id=random.randint(1, 2**31 - 1), id_tag_info=_ACCEPTED
        )

    @on(Action.meter_values)
    async def on_meter_values(self, **_: Any) -> call_result.MeterValues:
        return call_result.MeterValues()

    @on(Action.stop_transaction)
    async def on_stop_transaction(self, **_: Any) -> call_result.StopTransaction:
        return call_result.StopTransaction(id_tag_info=_ACCEPTED)


class Bare2x:
    """The 2.0.1 and 2.1 handlers: the same messages, each version's call_result module."""

    _result: Any  # ocpp.v201.call_result or ocpp.v21.call_result

    @on("BootNotification")
    async def on_boot_notification(self, **_: Any) -> Any:
        return self._result.BootNotification(current_time=_now(), interval=300, status="Accepted")

    @on("Heartbeat")
    async def on_heartbeat(self, **_: Any) -> Any:
        return self._result.Heartbeat(current_time=_now())

    @on("StatusNotification")
    async def on_status_notification(self, **_: Any) -> Any:
        return self._result.StatusNotification()

    @on("Authorize")
    async def on_authorize(self, **_: Any) -> Any:
        return self._result.Authorize(id_token_info=_ACCEPTED_2X)

    @on("TransactionEvent")
    async def on_transaction_event(self, id_token: Any = None, **_: Any) -> Any:
        # idTokenInfo only when the event carries an idToken, as the back office answers.
        return self._result.TransactionEvent(id_token_info=_ACCEPTED_2X if id_token else None)

    @on("MeterValues")
    async def on_meter_values(self, **_: Any) -> Any:
        return self._result.MeterValues()


class Bare201(Bare2x, ocpp.v201.ChargePoint):
    _result = ocpp.v201.call_result


class Bare21(Bare2x, ocpp.v21.ChargePoint):
    _result = ocpp.v21.call_result


_CHARGE_POINTS = {"ocpp1.6": Bare16, "ocpp2.0.1": Bare201, "ocpp2.1": Bare21}


async def handle(connection: ServerConnection) -> None:
    charge_point = _CHARGE_POINTS.get(connection.subprotocol or "")
    if charge_point is None:
        await connection.close()
        return
    identity = connection.request.path.rstrip("/").rsplit("/", 1)[-1]
    with contextlib.suppress(ConnectionClosed):
        await charge_point(identity, connection).start()


async def serve_forever(host: str, port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    # Pings as daphne is configured by `manage.py serve` (30 s, 60 s timeout).
    async with serve(
        handle,
        host,
        port,
        subprotocols=list(SUBPROTOCOLS),  # websockets picks the first the station offers
        ping_interval=30,
        ping_timeout=60,
    ):
        await stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9016)
    args = parser.parse_args()
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
    raise_open_file_limit()
    asyncio.run(serve_forever(args.host, args.port))


if __name__ == "__main__":
    main()
