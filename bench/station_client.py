"""A cheap simulated OCPP station: a raw `websockets` client framing OCPP-J by hand.

One class for every version (the framing is the same; the subprotocol comes from the version).
No schema validation and no ChargePoint machinery on this side, so the generator leaves the
CPU to the server under test. Every CALL is timed from send to its CALLRESULT/CALLERROR.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from version_mix import SUBPROTOCOLS
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.protocol import State

CALL, CALLRESULT, CALLERROR = 2, 3, 4


@dataclass(slots=True)
class CallRecord:
    version: str
    phase: str
    action: str  # the action, or a finer label ("TransactionEvent Updated")
    sent_at: float
    answered_at: float | None
    # "ok", "CALLERROR <code>", "timeout" or "disconnected"
    outcome: str

    @property
    def latency(self) -> float | None:
        return None if self.answered_at is None else self.answered_at - self.sent_at


@dataclass
class Recorder:
    """Everything the stations observed, shared by all of them (one event loop, no locks)."""

    calls: list[CallRecord] = field(default_factory=list)
    connect_seconds: list[float] = field(default_factory=list)
    connected: Counter[str] = field(default_factory=Counter)  # by version
    # The counters below are keyed by (version, what).
    connect_failures: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Unexpected closes by the server, by close code.
    disconnects: Counter[tuple[str, str]] = field(default_factory=Counter)
    # CALLs the server sent us (none are expected in this scenario), by action.
    server_calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    late_answers: Counter[str] = field(default_factory=Counter)  # by version


class CallFailed(Exception):
    """The CALL got a CALLERROR, timed out, or the socket went away."""


class _Disconnected(Exception):
    """The socket closed while a CALL waited for its answer."""


class StationClient:
    def __init__(
        self,
        identity: str,
        url: str,
        password: str,
        recorder: Recorder,
        call_timeout: float,
        version: str = "1.6",
    ) -> None:
        self.identity = identity
        self.url = url
        self.version = version
        self._subprotocol = SUBPROTOCOLS[version]
        self._auth = "Basic " + base64.b64encode(f"{identity}:{password}".encode()).decode()
        self._recorder = recorder
        self._call_timeout = call_timeout
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.Future[list[Any]]] = {}
        self._next_id = 0
        self._closing = False

    @property
    def is_open(self) -> bool:
        return self._ws is not None and self._ws.state is State.OPEN

    async def connect(self, timeout: float) -> bool:
        started = time.perf_counter()
        try:
            ws = await connect(
                self.url,
                subprotocols=[self._subprotocol],
                additional_headers={"Authorization": self._auth},
                compression=None,
                proxy=None,  # loopback only: never go through a proxy from the environment
                open_timeout=timeout,
                ping_interval=None,  # the server pings; answering its pings is automatic
                close_timeout=2,
            )
        except InvalidStatus as err:
            self._failed_to_connect(f"HTTP {err.response.status_code}")
            return False
        except (InvalidHandshake, OSError, TimeoutError) as err:
            # InvalidMessage: the server dropped the TCP connection before answering.
            self._failed_to_connect(type(err).__name__)
            return False
        if ws.subprotocol != self._subprotocol:
            self._failed_to_connect(f"subprotocol {ws.subprotocol!r}")
            await ws.close()
            return False
        self._recorder.connect_seconds.append(time.perf_counter() - started)
        self._recorder.connected[self.version] += 1
        self._ws = ws
        self._reader = asyncio.create_task(self._read())
        return True

    def _failed_to_connect(self, reason: str) -> None:
        self._recorder.connect_failures[self.version, reason] += 1

    async def call(
        self, phase: str, action: str, payload: dict[str, Any], label: str = ""
    ) -> dict[str, Any]:
        """Send a CALL and return the CALLRESULT payload; raise CallFailed otherwise.

        `label` names the CALL in the figures when the action alone is too coarse.
        """
        if not self.is_open:
            raise CallFailed("not connected")
        self._next_id += 1
        message_id = str(self._next_id)
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        record = CallRecord(
            self.version, phase, label or action, time.perf_counter(), None, "timeout"
        )
        self._recorder.calls.append(record)
        try:
            await self._ws.send(json.dumps([CALL, message_id, action, payload]))
            frame = await asyncio.wait_for(future, self._call_timeout)
        except TimeoutError:
            raise CallFailed(f"{action} timed out") from None
        except (ConnectionClosed, _Disconnected):
            record.outcome = "disconnected"
            raise CallFailed(f"{action}: disconnected") from None
        finally:
            self._pending.pop(message_id, None)
        record.answered_at = time.perf_counter()
        if frame[0] == CALLERROR:
            record.outcome = f"CALLERROR {frame[2]}"
            raise CallFailed(f"{action}: CALLERROR {frame[2]} {frame[3]}")
        record.outcome = "ok"
        return frame[2]

    async def close(self) -> None:
        self._closing = True
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await self._reader

    async def _read(self) -> None:
        assert self._ws is not None  # noqa: S101 - started after connect
        try:
            async for text in self._ws:
                self._on_frame(json.loads(text))
        except ConnectionClosed:
            pass
        if not self._closing:
            code = self._ws.close_code
            reason = "no close frame" if code is None else str(code)
            self._recorder.disconnects[self.version, reason] += 1
        for future in self._pending.values():
            if not future.done():
                future.set_exception(_Disconnected())

    def _on_frame(self, frame: list[Any]) -> None:
        if frame[0] == CALL:
            self._recorder.server_calls[self.version, frame[2]] += 1
            reply = [CALLERROR, frame[1], "NotSupported", "simulated station", {}]
            asyncio.create_task(self._ws.send(json.dumps(reply)))  # noqa: RUF006
            return
        future = self._pending.get(frame[1])
        if future is None or future.done():
            self._recorder.late_answers[self.version] += 1
            return
        future.set_result(frame)
