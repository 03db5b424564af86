"""The Redis channel layer, standing through a Redis outage.

Every consumer awaits `receive(its channel)` beside its socket (channels'
`await_many_dispatch`), and channels-redis raises from it when Redis is unreachable: the
exception ends the consumer and closes its socket with 1011. Measured before this layer: every
station dropped at once, and again at each reconnect, for the whole outage. Yet the layer only
carries wake-ups to another process (commands, replaced or revoked sockets, live pages); a
charger's answers never need it. So here:

- `receive` never raises for an unreachable Redis. The first failure starts one probe per
  process (a PING after a pause growing to MAX_PAUSE, `backoffice.lib.outage`); receivers wait
  for it to find Redis back, then block on Redis again as before.
- A consumer may `serve_locally`: a message sent to its channel from this very process is
  handed to it in memory, never through Redis, so commands to stations held by the process
  that takes them (all of them, with one worker) go through whatever state Redis is in.
- `send` gives up after `send_timeout` seconds (a frozen Redis would hold it for the 30 s
  socket timeout that reads need) and raises.

Delivery stays at most once, as channels promises: a message sent to Redis just before it
went away may be lost; the command bus's database rows are the truth.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from channels_redis import core

from backoffice.lib.outage import FIRST_PAUSE, UNREACHABLE, Outage

log = structlog.get_logger(__name__)

# A send is a handful of commands that take a millisecond on a live Redis.
SEND_TIMEOUT = 2.0

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class RedisChannelLayer(core.RedisChannelLayer):
    def __init__(self, *args: Any, send_timeout: float = SEND_TIMEOUT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.send_timeout = send_timeout
        self.outage = Outage("channel layer")
        # Consumers of this process served in memory: channel -> (their loop, handler).
        self._local: dict[str, tuple[asyncio.AbstractEventLoop, Handler]] = {}
        self._local_tasks: set[asyncio.Task[None]] = set()
        # While receiving from Redis fails: set once a probe finds Redis back.
        self._back: asyncio.Event | None = None
        self._probe: asyncio.Task[None] | None = None

    def serve_locally(self, channel: str, handler: Handler) -> Callable[[], None]:
        """Hand messages sent to `channel` from this process to `handler`, in a task of the
        calling loop; returns the function that stops it (call it when the consumer ends)."""
        self._local[channel] = (asyncio.get_running_loop(), handler)

        def stop() -> None:
            self._local.pop(channel, None)

        return stop

    async def receive(self, channel: str) -> dict[str, Any]:
        while True:
            back = self._back
            if back is not None:
                await back.wait()
                continue
            try:
                message: dict[str, Any] = await super().receive(channel)
            except UNREACHABLE as err:
                self._receiving_failed(err)
                continue
            return message

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        if self._deliver_locally(channel, message):
            return
        try:
            async with asyncio.timeout(self.send_timeout):
                await super().send(channel, message)
        except UNREACHABLE as err:
            self.outage.failed(err)
            raise
        self.outage.recovered()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        try:
            async with asyncio.timeout(self.send_timeout):
                await super().group_send(group, message)
        except UNREACHABLE as err:
            self.outage.failed(err)
            raise
        self.outage.recovered()

    def _receiving_failed(self, error: BaseException) -> None:
        # Every receiver fails in turn once Redis is gone: the first starts the one probe, the
        # others just wait for it (their failures would only lengthen its pauses).
        if self._back is None:
            self.outage.failed(error)
            self._back = asyncio.Event()
            self._probe = asyncio.get_running_loop().create_task(self._until_back(self._back))

    async def _until_back(self, back: asyncio.Event) -> None:
        """PING every Redis of the layer after each pause until all answer; then wake the
        receivers."""
        while True:
            await asyncio.sleep(max(self.outage.pause(), FIRST_PAUSE))
            try:
                async with asyncio.timeout(self.send_timeout):
                    for index in range(self.ring_size):
                        await self.connection(index).ping()
            except UNREACHABLE as err:
                self.outage.failed(err)
            else:
                break
        self.outage.recovered()
        self._back = None
        back.set()

    def _deliver_locally(self, channel: str, message: dict[str, Any]) -> bool:
        served = self._local.get(channel)
        if served is None or served[0].is_closed():
            return False
        loop, handler = served
        # From the loop itself or from a thread (a view's async_to_sync). In a context of its
        # own, as a message from Redis would come: inheriting a view's would send the handler's
        # thread-sensitive database calls to that view's thread, busy waiting for the answer.
        loop.call_soon_threadsafe(
            self._start_local, handler, dict(message), context=contextvars.Context()
        )
        return True

    def _start_local(self, handler: Handler, message: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(_handle(handler, message))
        self._local_tasks.add(task)  # kept until done: the loop holds only a weak reference
        task.add_done_callback(self._local_tasks.discard)


async def _handle(handler: Handler, message: dict[str, Any]) -> None:
    try:
        await handler(message)
    except Exception:
        log.exception("channel_layer.local_message_failed", type=message.get("type"))


def serve_locally(layer: Any, channel: str, handler: Handler) -> Callable[[], None]:
    """`RedisChannelLayer.serve_locally` where the layer offers it; other layers (the in-memory
    one of the quick start) deliver in memory anyway: the returned stop does nothing."""
    if isinstance(layer, RedisChannelLayer):
        return layer.serve_locally(channel, handler)
    return lambda: None
