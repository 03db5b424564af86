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
from websockets.typing import Subprotocol

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
    # Storm mode: set while the bench restarts the server, so the closes it causes are not
    # counted as errors, and once the server listens again (refusals from then on are its own).
    restarting: bool = False
    server_back: bool = False
    restart_closes: Counter[tuple[str, str]] = field(default_factory=Counter)
    reconnected: Counter[str] = field(default_factory=Counter)  # by version
    # Failed reconnects, keyed by (reason, whether the restarted server was listening).
    reconnect_failures: Counter[tuple[str, bool]] = field(default_factory=Counter)


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
        self.failure = ""  # why the last connect failed
        # Set when the server closes the socket, so a station waiting for its next message
        # notices at once (the storm mode reconnects then); the bench sets it to wake one too.
        self.wake = asyncio.Event()

    @property
    def is_open(self) -> bool:
        return self._ws is not None and self._ws.state is State.OPEN

    async def connect(self, timeout: float, *, again: bool = False) -> bool:
        """Open the socket; `again` for a reconnect (counted apart from the first connect)."""
        started = time.perf_counter()
        server_back = self._recorder.server_back
        self._closing = False
        self.wake.clear()
        try:
            ws = await connect(
                self.url,
                subprotocols=[Subprotocol(self._subprotocol)],
                additional_headers={"Authorization": self._auth},
                compression=None,
                proxy=None,  # loopback only: never go through a proxy from the environment
                open_timeout=timeout,
                ping_interval=None,  # the server pings; answering its pings is automatic
                close_timeout=2,
            )
        except InvalidStatus as err:
            self.failure = f"HTTP {err.response.status_code}"
        except (InvalidHandshake, OSError, TimeoutError) as err:
            # InvalidMessage: the server dropped the TCP connection before answering;
            # ConnectionRefusedError: nothing listens on the port.
            self.failure = type(err).__name__
        else:
            if ws.subprotocol == self._subprotocol:
                self._opened(ws, time.perf_counter() - started, again=again)
                return True
            self.failure = f"subprotocol {ws.subprotocol!r}"
            await ws.close()
        if again:
            self._recorder.reconnect_failures[self.failure, server_back] += 1
        else:
            self._recorder.connect_failures[self.version, self.failure] += 1
        return False

    def _opened(self, ws: ClientConnection, seconds: float, *, again: bool) -> None:
        if again:
            self._recorder.reconnected[self.version] += 1
        else:
            self._recorder.connect_seconds.append(seconds)
            self._recorder.connected[self.version] += 1
        self.failure = ""
        self._ws = ws
        self._reader = asyncio.create_task(self._read())

    async def call(
        self, phase: str, action: str, payload: dict[str, Any], label: str = ""
    ) -> dict[str, Any]:
        """Send a CALL and return the CALLRESULT payload; raise CallFailed otherwise.

        `label` names the CALL in the figures when the action alone is too coarse.
        """
        ws = self._ws
        if ws is None or ws.state is not State.OPEN:
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
            await ws.send(json.dumps([CALL, message_id, action, payload]))
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
            if self._recorder.restarting:
                self._recorder.restart_closes[self.version, reason] += 1
            else:
                self._recorder.disconnects[self.version, reason] += 1
            self.wake.set()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(_Disconnected())

    def _on_frame(self, frame: list[Any]) -> None:
        if frame[0] == CALL and self._ws is not None:
            self._recorder.server_calls[self.version, frame[2]] += 1
            reply = [CALLERROR, frame[1], "NotSupported", "simulated station", {}]
            asyncio.create_task(self._ws.send(json.dumps(reply)))  # noqa: RUF006
            return
        future = self._pending.get(frame[1])
        if future is None or future.done():
            self._recorder.late_answers[self.version] += 1
            return
        future.set_result(frame)
