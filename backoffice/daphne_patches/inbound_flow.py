"""Back-pressure on a WebSocket's incoming frames: stop reading a socket whose application is
behind, so TCP holds the rest on the client's side instead of the server's memory.

daphne reads every frame as it arrives and puts it on the application's unbounded queue, and
the application answers them one at a time. A station sending 30 kB DataTransfer CALLs without
waiting for answers had 3,238 frames (about 97 MB) queued in 4 s and grew the worker from
175 MB to 687 MB (issue 13). Nor does daphne stop reading when the client does not read our
answers: after the upgrade the HTTP channel stays the transport's producer and, its request
never finished, no longer pauses anything (Twisted fixed the same for HTTP, ticket 8868).

The application opts in per socket before accepting it, through the InboundFlow it finds in
its scope under `scope["extensions"][EXTENSION]`: `limit(frames=, size=)`, then `release(size)`
for every frame it received once it is done with it. From then on this patch counts the frames
handed over and not yet released, and stops reading while more than `frames` frames or `size`
bytes wait, or while the transport's write buffer is full (it is the transport's producer
now). Stopping means both: the transport stops reading the socket (pauseProducing), and the
frames autobahn already holds in its buffer (one read can hold hundreds of small frames) stay
there unparsed. Reading resumes once the frames waiting are down to half of both limits and
the answers have been written. Sockets whose application never asks are read as before.

Once a close frame is sent the socket is read again without limits, so the close handshake
completes; the application drops what still comes. A socket paused for long is still closed by
daphne's ping timeout (its pong stays unread), so an application that forgot to release frames
costs a stalled station a reconnect, not a stuck socket.
"""

from __future__ import annotations

from typing import Any

import structlog

log = structlog.get_logger(__name__)

# Key of the InboundFlow in the WebSocket scope's "extensions".
EXTENSION = "backoffice.inbound_flow"


class InboundFlow:
    """The frames of one WebSocket handed to its application and not yet released by it."""

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol
        self._limits: tuple[int, int] | None = None  # (frames, bytes) once the application asks
        self.frames = 0
        self.size = 0
        self._queue_full = False
        self._write_blocked = False
        self.paused = False
        self.pauses = 0

    def limit(self, *, frames: int, size: int) -> None:
        """Count frames from now on and stop reading past `frames` frames or `size` bytes.

        Called before the socket is accepted, so that no frame is received uncounted.
        """
        self._limits = (frames, size)
        transport = getattr(self._protocol, "transport", None)
        if transport is not None:
            # Replaces the HTTP channel of the upgrade request, which pauses nothing any more.
            transport.unregisterProducer()
            transport.registerProducer(self, True)

    def received(self, size: int) -> None:
        if self._limits is None:
            return
        self.frames += 1
        self.size += size
        self._update()

    def release(self, size: int) -> None:
        """The application is done with a frame of `size` bytes (its UTF-8 length for text)."""
        if self._limits is None:
            return
        self.frames = max(self.frames - 1, 0)
        # Nothing waits, so no byte does: a miscounted size cannot keep a socket paused.
        self.size = max(self.size - size, 0) if self.frames else 0
        self._update()

    def stop(self) -> None:
        """No more limits (a close frame was sent): read until the connection is gone."""
        self._limits = None
        self._queue_full = self._write_blocked = False
        self._update()

    # The transport's producer: Twisted pauses it while its write buffer is full.
    def pauseProducing(self) -> None:
        self._write_blocked = True
        self._update()

    def resumeProducing(self) -> None:
        self._write_blocked = False
        self._update()

    def stopProducing(self) -> None:
        """The connection is gone; nothing to stop."""

    def _update(self) -> None:
        if self._limits is not None:
            max_frames, max_size = self._limits
            if self.frames > max_frames or self.size > max_size:
                self._queue_full = True
            elif self.frames <= max_frames // 2 and self.size <= max_size // 2:
                self._queue_full = False
        should_pause = self._queue_full or self._write_blocked
        transport = getattr(self._protocol, "transport", None)
        if should_pause:
            if not self.paused:
                self.paused = True
                self.pauses += 1
                if self.pauses == 1:
                    self._log_first_pause()
                if transport is not None:
                    transport.pauseProducing()
            return
        if self.paused:
            self.paused = False
            # In the next loop turn, never inside the application's release().
            _call_soon(self._read_on)

    def _read_on(self) -> None:
        """Parse the frames autobahn kept while paused first, and read the socket again only
        if they did not fill the limits anew: reading on at once added a read's worth (64 KiB,
        thousands of small frames) to autobahn's buffer per pause, which grew without end."""
        protocol = self._protocol
        if self.paused:
            return
        if protocol.state in (protocol.STATE_OPEN, protocol.STATE_CLOSING):
            protocol.consumeData()
        transport = getattr(protocol, "transport", None)
        if not self.paused and transport is not None:
            transport.resumeProducing()

    def _log_first_pause(self) -> None:
        protocol = self._protocol
        request = getattr(protocol, "request", None)
        log.warning(
            "websocket.reading_paused",
            path=getattr(request, "path", None),
            client=getattr(protocol, "client_addr", None),
            frames_waiting=self.frames,
            bytes_waiting=self.size,
            write_buffer_full=self._write_blocked,
        )


def _call_soon(function: Any) -> None:
    # Imported here, not at the top: importing it first would install Twisted's default
    # reactor before daphne installs its asyncio one.
    from twisted.internet import reactor

    clock: Any = reactor  # zope's interface stubs type callLater without `self`
    clock.callLater(0, function)


def install() -> None:
    try:
        from daphne.server import Server
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:  # another ASGI server: the consumer caps what it queues itself
        return
    if getattr(WebSocketProtocol.onMessage, "counts_inbound_frames", False):
        return
    create_application = Server.create_application
    on_message = WebSocketProtocol.onMessage
    consume_data = WebSocketProtocol.consumeData
    send_close_frame = WebSocketProtocol.sendCloseFrame

    def create_with_flow(server: Any, protocol: Any, scope: dict[str, Any]) -> Any:
        if scope.get("type") == "websocket":
            protocol.inbound_flow = InboundFlow(protocol)
            scope["extensions"] = {**scope.get("extensions", {}), EXTENSION: protocol.inbound_flow}
        return create_application(server, protocol, scope)

    def count_and_deliver(protocol: Any, payload: bytes, isBinary: bool) -> None:
        flow = getattr(protocol, "inbound_flow", None)
        if flow is not None and not protocol.muted:  # a muted socket delivers nothing
            flow.received(len(payload))
        on_message(protocol, payload, isBinary)

    def consume_unless_paused(protocol: Any) -> None:
        flow = getattr(protocol, "inbound_flow", None)
        if flow is None or protocol.state != protocol.STATE_OPEN:
            consume_data(protocol)
            return
        # autobahn's loop, which parses every frame in its buffer, stopping once paused.
        while (
            not flow.paused and protocol.processData() and protocol.state != protocol.STATE_CLOSED
        ):
            pass

    def send_close_frame_and_read_on(protocol: Any, *args: Any, **kwargs: Any) -> None:
        send_close_frame(protocol, *args, **kwargs)
        flow = getattr(protocol, "inbound_flow", None)
        if flow is not None:
            flow.stop()

    count_and_deliver.counts_inbound_frames = True  # type: ignore[attr-defined]
    Server.create_application = create_with_flow
    WebSocketProtocol.onMessage = count_and_deliver
    WebSocketProtocol.consumeData = consume_unless_paused
    WebSocketProtocol.sendCloseFrame = send_close_frame_and_read_on
