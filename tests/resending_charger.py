"""A charger that keeps its transaction messages until they are answered, as OCPP asks.

Raw frames over `websockets` (not the `ocpp` client): a fault test needs to know exactly which
CALLs were sent, which were answered, and to resend the unanswered transaction messages on a
new socket (1.6 §3.7, 2.0.1 E13), which the `ocpp` client does not do. One CALL at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.exceptions import WebSocketException

from tests.factories.stations import STATION_PASSWORD
from tests.ocpp_client import basic_auth
from tests.server import LiveOcppServer

CALL, CALLRESULT, CALLERROR = 2, 3, 4
# Generous: on a loaded two-core machine a worker takes 15 s and more to start, and a
# connection the kernel queued for it waits that long. A charger giving up sooner would leave
# a handshake behind that the new worker still takes (and so closes its newer socket).
CALL_TIMEOUT = 30.0
OPEN_TIMEOUT = 60.0
# Sockets a charger opens for one message before it gives up on it.
MAX_ATTEMPTS = 6
_RECONNECT_PAUSE = 0.2


@dataclass
class SentCall:
    """One CALL as the charger sees it: sent (perhaps several times), answered or not."""

    action: str
    payload: dict[str, Any]
    # Transaction messages are resent on a new socket until answered.
    transactional: bool
    # When it was first sent (time.monotonic()).
    sent_at: float = field(default_factory=time.monotonic)
    attempts: int = 0
    answer: dict[str, Any] | None = None
    answered_at: float | None = None
    error: list[Any] | None = None

    @property
    def answered(self) -> bool:
        return self.answer is not None


@dataclass
class ResendingCharger:
    server: LiveOcppServer
    identity: str
    subprotocol: str
    calls: list[SentCall] = field(default_factory=list)
    # Sockets lost (closed by the server's side, a CALL that timed out, a refused connection):
    # when (time.monotonic()) and why.
    drops: list[tuple[float, str]] = field(default_factory=list)
    _ws: websockets.ClientConnection | None = None
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def resent(self) -> list[SentCall]:
        return [c for c in self.calls if c.attempts > 1]

    async def call(
        self, action: str, payload: dict[str, Any], *, transactional: bool = False
    ) -> dict[str, Any] | None:
        """Send one CALL and return its CALLRESULT payload, or None when it got none.

        A transaction message whose socket drops is sent again, same content, on a new socket
        (a 2.0.1 retry takes a new message id, OCPP-J 2.0.1 §4.1.4; a 1.6 one keeps its id, as
        some firmware does); any other message is given up with its socket.
        """
        sent = SentCall(action=action, payload=payload, transactional=transactional)
        self.calls.append(sent)
        message_id = self._new_id()
        while sent.attempts < MAX_ATTEMPTS:
            sent.attempts += 1
            if sent.attempts > 1 and self.subprotocol != "ocpp1.6":
                message_id = self._new_id()
            try:
                reply = await self._exchange(message_id, action, payload)
            except (WebSocketException, OSError, TimeoutError) as exc:
                await self._drop(f"{action}: {exc!r}")
                if not transactional:
                    return None
                continue
            if reply[0] == CALLERROR:
                sent.error = reply
                return None
            sent.answer, sent.answered_at = reply[2], time.monotonic()
            return sent.answer
        return None

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    def _new_id(self) -> str:
        return f"{self.identity}-{next(self._ids)}"

    async def _exchange(self, message_id: str, action: str, payload: dict[str, Any]) -> list[Any]:
        ws = await self._socket()
        await ws.send(json.dumps([CALL, message_id, action, payload]))
        deadline = time.monotonic() + CALL_TIMEOUT
        while True:
            frame = json.loads(
                await asyncio.wait_for(ws.recv(), max(0.0, deadline - time.monotonic()))
            )
            if frame[0] == CALL:
                # The back office's own request: this charger implements none.
                await ws.send(json.dumps([CALLERROR, frame[1], "NotImplemented", "", {}]))
            elif frame[1] == message_id:
                return frame

    async def _socket(self) -> websockets.ClientConnection:
        if self._ws is None:
            if self.drops:
                await asyncio.sleep(_RECONNECT_PAUSE)
            self._ws = await websockets.connect(
                self.server.ws_url(self.identity),
                subprotocols=[self.subprotocol],  # type: ignore[list-item]
                additional_headers=basic_auth(self.identity, STATION_PASSWORD),
                open_timeout=OPEN_TIMEOUT,
                # The client's own pings would only add traffic; the server pings.
                ping_interval=None,
                max_size=None,
            )
        return self._ws

    async def _drop(self, reason: str) -> None:
        self.drops.append((time.monotonic(), reason))
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 2)
            self._ws = None
