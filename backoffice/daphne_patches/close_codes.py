"""Two small patches to daphne's WebSocket protocol, for the close codes PROTOCOL.md promises.

1. Let consumers close with RFC 6455 §7.4.1 protocol codes (1002, 1009, 1011, and 1012
   Service Restart on a stop, IANA's registry). daphne passes
   an ASGI close code to autobahn's sendClose(), which refuses all but 1000 and 3000-4999 and
   raises inside the consumer: the station got 1011 from daphne's error handler, disconnect()
   never ran (the registry kept it online) and a close from the call task left the socket open
   with every later frame ignored. Our own failure must close the socket, so the codes an
   endpoint may send are let through.

2. Refuse an oversize message with a close frame 1009 instead of a dropped TCP connection.
   `manage.py serve` sets autobahn's frame and message limits to OCPP_MAX_FRAME_BYTES, so
   autobahn refuses a frame from its header (and a fragmented message at the continuation
   frame crossing the limit) before reading its payload. But daphne leaves autobahn's
   `failByDrop` on, so that refusal cut the TCP connection and the station saw 1006 without a
   close frame. `failByDrop` stays on for protocol violations (dropping there also stops
   autobahn from collecting an oversized control frame during the close handshake); only the
   size refusal sends its close frame, then discards the rest of the message as it arrives and
   drops the connection after autobahn's close-handshake timeout (1 s) if the station keeps
   sending. The application is told in its `websocket.disconnect` event: code 1009 and the
   refused size under REFUSED_MESSAGE_BYTES, so the consumer can log the attempt.
"""

from __future__ import annotations

from typing import Any

import structlog

log = structlog.get_logger(__name__)

# The codes an endpoint may send besides 1000 (1004-1006, 1010 and 1015 are not for servers).
PROTOCOL_CLOSE_CODES = frozenset({1001, 1002, 1003, 1007, 1008, 1009, 1011, 1012})
CLOSE_MESSAGE_TOO_BIG = 1009
# Key of the `websocket.disconnect` event: the size (bytes) of the message refused unread.
REFUSED_MESSAGE_BYTES = "refused_message_bytes"
# Autobahn's limit on a close frame's reason (a control frame's payload is at most 125 bytes).
_CLOSE_REASON_BYTES = 123


def install() -> None:
    try:
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:  # another ASGI server: it sends any valid code itself
        return
    if getattr(WebSocketProtocol.serverClose, "allows_protocol_codes", False):
        return
    _allow_protocol_close_codes(WebSocketProtocol)
    _refuse_oversize_with_close_frame(WebSocketProtocol)


def _allow_protocol_close_codes(protocol_class: Any) -> None:
    server_close = protocol_class.serverClose

    def close_with_any_valid_code(protocol: Any, code: int | None = None) -> None:
        if code in PROTOCOL_CLOSE_CODES:
            protocol.sendCloseFrame(code=code, isReply=False)
        else:
            server_close(protocol, code=code)

    close_with_any_valid_code.allows_protocol_codes = True  # type: ignore[attr-defined]
    protocol_class.serverClose = close_with_any_valid_code


def _refuse_oversize_with_close_frame(protocol_class: Any) -> None:
    fail_oversize = protocol_class._max_message_size_exceeded
    on_close = protocol_class.onClose

    def refuse_oversize(protocol: Any, msg_size: int, max_msg_size: int, reason: str) -> None:
        # Autobahn calls this once per connection (it then sets failedByMe and stops looking).
        protocol.refused_message_bytes = msg_size
        log.warning(
            "ocpp.frame_too_big",
            client=protocol.client_addr,
            path=protocol.request.path,
            size=msg_size,
            limit=max_msg_size,
        )
        if protocol.state != protocol.STATE_OPEN:
            fail_oversize(protocol, msg_size, max_msg_size, reason)
            return
        # What autobahn's _fail_connection does without failByDrop: the payload still to come
        # is skipped as it arrives (failedByMe), never buffered.
        protocol.failedByMe = True
        protocol.sendCloseFrame(
            code=CLOSE_MESSAGE_TOO_BIG,
            reasonUtf8=reason.encode()[:_CLOSE_REASON_BYTES],
            isReply=False,
        )

    def tell_application_of_refusal(
        protocol: Any, wasClean: bool, code: int | None, reason: str | None
    ) -> None:
        refused = getattr(protocol, "refused_message_bytes", None)
        if refused is not None and not protocol.muted and hasattr(protocol, "application_queue"):
            protocol.application_queue.put_nowait(
                {
                    "type": "websocket.disconnect",
                    "code": CLOSE_MESSAGE_TOO_BIG,
                    REFUSED_MESSAGE_BYTES: refused,
                }
            )
            protocol.muted = True  # daphne's onClose then sends no second disconnect event
        on_close(protocol, wasClean, code, reason)

    protocol_class._max_message_size_exceeded = refuse_oversize
    protocol_class.onClose = tell_application_of_refusal
