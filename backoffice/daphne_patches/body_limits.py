"""Refuse request bodies on daphne before reading them (issue 11, hole 3).

daphne 4 calls the application only once Twisted has received the whole body, and then puts
all of it on the application's queue at once: an unauthenticated chunked `PUT` of 1 GiB to a
garbage upload URL was held in the server's memory (235 MB to 1.25 GB) before the view
answered 403. So the server decides from the request line and headers, before the body:

- a declared Content-Length over the route's cap is answered 413 at once;
- a station upload URL whose token is not ours (forged, expired, dated ahead) is answered 403
  at once (the signature is checked without a query; the view checks the job);
- a body without a length (chunked) is counted as it arrives and cut with 413 at the cap.

A body within its cap waits in Twisted's content file (on disk past 100 kB) and is handed to
the application 64 kB per receive() instead of all at once; and Twisted's own parsing of POST
forms (which read a multipart body whole into memory for arguments daphne never uses) is off.

A refused body is dropped as it arrives, never stored; the answer is written, our side of the
connection is shut, and the connection is aborted after a short linger (so the client reads
the answer instead of a reset). Caps: HTTP_MAX_BODY_BYTES on every route,
STATION_UPLOAD_MAX_BYTES on station uploads and FIRMWARE_UPLOAD_MAX_BYTES on the firmware
admin, each plus room for multipart framing. The patch reads Twisted's request line from the
channel (`_command`, `_path`): the body-limit tests through the real server catch an upgrade
that moves them.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote

import structlog
from django.conf import settings
from django.urls import Resolver404, resolve

from stations.services.jobs import files

log = structlog.get_logger(__name__)

# Multipart boundaries and part headers around a file of the allowed size.
_MULTIPART_ROOM = 64 * 1024
# How long a refused client may go on sending (dropped) before the connection is aborted.
_LINGER_SECONDS = 2.0
_BODYLESS_METHODS = frozenset({b"GET", b"HEAD", b"OPTIONS"})
_FIRMWARE_ADMIN = frozenset(
    {"admin:stations_firmwarefile_add", "admin:stations_firmwarefile_change"}
)
# The body the application gets per receive(): what daphne used as its read buffer.
_BODY_CHUNK = 64 * 1024
_REASONS = {403: b"Forbidden", 404: b"Not Found", 413: b"Content Too Large"}
TOO_LARGE = "The request body is too large."


def install() -> None:
    try:
        from daphne.http_protocol import WebRequest
        from daphne.server import Server
    except ImportError:  # another ASGI server: it has its own limits, the views check too
        return
    if getattr(WebRequest.gotLength, "limits_bodies", False):
        return
    got_length = WebRequest.gotLength
    handle_content_chunk = WebRequest.handleContentChunk
    process = WebRequest.process
    create_application = Server.create_application

    def got_length_within_limits(request: Any, length: int | None) -> None:
        got_length(request, length)
        request._parsePOSTFormSubmission = False  # daphne never reads Twisted's `args`
        request.body_stream = None
        request.body_received = 0
        request.body_refused = False
        request.body_limit = settings.HTTP_MAX_BODY_BYTES
        method = getattr(request.channel, "_command", b"")
        if method in _BODYLESS_METHODS and not length:
            return
        path = _path(getattr(request.channel, "_path", b""))
        request.body_limit, refusal = _check(path)
        if refusal is None and length is not None and length > request.body_limit:
            refusal = (413, TOO_LARGE)
        if refusal is not None:
            _refuse(request, *refusal, path=path, declared=length)

    def handle_content_chunk_within_limit(request: Any, data: bytes) -> None:
        if request.body_refused:
            return  # dropped: the answer is out, the connection is closing
        request.body_received += len(data)
        if request.body_received > request.body_limit:
            path = _path(getattr(request.channel, "_path", b""))
            _refuse(request, 413, TOO_LARGE, path=path, declared=None)
            return
        handle_content_chunk(request, data)

    def process_unless_refused(request: Any) -> Any:
        if getattr(request, "body_refused", False):
            return None  # a refused request's (chunked) end came before the abort
        if getattr(request, "body_received", 0):
            # daphne queues the body it finds in `content` all at once: give it none, and
            # the application the real one in chunks (create_application below).
            request.body_stream, request.content = request.content, io.BytesIO()
        return process(request)

    def create_application_with_streamed_body(server: Any, protocol: Any, scope: Any) -> Any:
        body = getattr(protocol, "body_stream", None)
        if body is None:
            return create_application(server, protocol, scope)
        protocol.body_stream = None
        application = server.application

        def with_streamed_body(*, scope: Any, receive: Any, send: Any) -> Any:
            return application(scope=scope, receive=_StreamedBody(receive, body), send=send)

        # Swapped for this one call only: it runs on the event loop's thread, nothing between.
        server.application = with_streamed_body
        try:
            return create_application(server, protocol, scope)
        finally:
            server.application = application

    got_length_within_limits.limits_bodies = True  # type: ignore[attr-defined]
    WebRequest.gotLength = got_length_within_limits
    WebRequest.handleContentChunk = handle_content_chunk_within_limit
    WebRequest.process = process_unless_refused
    Server.create_application = create_application_with_streamed_body


class _StreamedBody:
    """The application's receive(): the request body read from Twisted's content file one
    chunk per call, then daphne's own messages (its empty stand-in body message skipped)."""

    def __init__(self, receive: Any, body: Any) -> None:
        self._receive = receive
        self._body: Any = body
        self._size = body.seek(0, io.SEEK_END)
        body.seek(0)
        self._stand_in_pending = True

    async def __call__(self) -> dict[str, Any]:
        if self._body is not None:
            try:
                chunk = self._body.read(_BODY_CHUNK)
                more = self._body.tell() < self._size
            except ValueError:  # closed: the client is gone, daphne says so next
                chunk, more = b"", False
            if not more:
                self._body.close()
                self._body = None
            return {"type": "http.request", "body": chunk, "more_body": more}
        message: dict[str, Any] = await self._receive()
        if self._stand_in_pending and message["type"] == "http.request":
            self._stand_in_pending = False
            return await self()
        return message


def _check(path: str) -> tuple[int, tuple[int, str] | None]:
    """The route's body cap, and a refusal (status, message) decided from the path alone."""
    try:
        match = resolve(path)
    except Resolver404:
        return settings.HTTP_MAX_BODY_BYTES, None
    if match.view_name == "stations:station_upload":
        limit = settings.STATION_UPLOAD_MAX_BYTES + _MULTIPART_ROOM
        try:
            files.check_upload_token(match.kwargs["token"])
        except files.BadToken as err:
            return limit, (403, err.message)
        return limit, None
    if match.view_name in _FIRMWARE_ADMIN:
        return settings.FIRMWARE_UPLOAD_MAX_BYTES + _MULTIPART_ROOM, None
    return settings.HTTP_MAX_BODY_BYTES, None


def _path(raw: bytes) -> str:
    try:
        return unquote(raw.split(b"?", 1)[0].decode("ascii"))
    except UnicodeDecodeError:
        return "/"  # daphne answers 400 for it once the request is complete


def _refuse(request: Any, status: int, message: str, *, path: str, declared: int | None) -> None:
    # Imported here, not at the top: importing it first would install Twisted's default
    # reactor before daphne installs its asyncio one.
    from twisted.internet import reactor

    request.body_refused = True
    log.warning(
        "http.body_refused",
        status=status,
        path=path[:200],
        declared_length=declared,
        received=request.body_received,
        client=str(request.channel.transport.getPeer()),
    )
    body = message.encode()
    transport = request.channel.transport
    transport.write(
        b"HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
        % (status, _REASONS[status], len(body), body)
    )
    # Shut only our side: the client reads the answer while what it still sends is dropped.
    lose_write = getattr(transport, "loseWriteConnection", None)
    if lose_write is None:  # TLS: no half-close
        transport.loseConnection()
    else:
        lose_write()
    clock: Any = reactor  # zope's interface stubs type callLater without `self`
    clock.callLater(_LINGER_SECONDS, transport.abortConnection)
