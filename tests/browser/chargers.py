"""A real OCPP charger for the sync browser tests: the async client runs on its own event loop
in a background thread (Playwright's sync API owns the test's thread)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable
from typing import Any

from tests.ocpp_client import booted
from tests.server import LiveOcppServer


class ChargerThread:
    """`with ChargerThread(server, "CP-1") as charger: charger.call(call16.Heartbeat())`:
    connected and booted (`booted(...)`) on entry, disconnected on exit."""

    def __init__(self, server: LiveOcppServer, identity: str, **kw: Any) -> None:
        self._server, self._identity, self._kw = server, identity, kw
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stack: contextlib.AsyncExitStack | None = None
        self.cp: Any = None

    def run(self, awaitable: Awaitable[Any], timeout: float = 30) -> Any:
        async def wrapped() -> Any:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(wrapped(), self._loop).result(timeout)

    def call(self, payload: Any) -> Any:
        """Send one CALL as the charger and return the back office's answer."""
        return self.run(self.cp.call(payload))

    def __enter__(self) -> ChargerThread:
        self._thread.start()

        async def connect() -> None:
            self._stack = contextlib.AsyncExitStack()
            self.cp = await self._stack.enter_async_context(
                booted(self._server, self._identity, **self._kw)
            )

        try:
            self.run(connect())
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._stack is not None:
                self.run(self._stack.aclose())
        finally:
            self._stop()

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
