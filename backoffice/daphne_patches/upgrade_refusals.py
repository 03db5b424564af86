"""Answer an upgrade the server cannot serve right now with HTTP 503, not 403 or 500.

daphne answers a close before accept() with 403 whatever its code (as ASGI says), and an
exception before accept() with 500. A charger reads 403 as "not allowed" and 500 as our bug;
when the database is unreachable at the upgrade (a blip, a failover) the right answer is
503 Service Unavailable, which tells it to retry. The consumer closes with 1013 (Try Again
Later, IANA's WebSocket close code registry) before accepting; this patch answers that close
with 503. Any other close before accept() keeps daphne's 403; under another ASGI server the
1013 close is its plain refusal.
"""

from __future__ import annotations

from typing import Any

TRY_AGAIN_LATER = 1013


def install() -> None:
    try:
        from autobahn.twisted.websocket import ConnectionDeny
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:  # another ASGI server
        return
    if getattr(WebSocketProtocol.handle_reply, "answers_try_again_later", False):
        return
    handle_reply = WebSocketProtocol.handle_reply

    def refuse_unavailable(protocol: Any, message: dict[str, Any]) -> None:
        if (
            message.get("type") == "websocket.close"
            and message.get("code") == TRY_AGAIN_LATER
            and protocol.state == protocol.STATE_CONNECTING
        ):
            # What daphne's serverReject does, with 503 for 403.
            protocol.handshake_deferred.errback(
                ConnectionDeny(code=503, reason="Service Unavailable")
            )
            del protocol.handshake_deferred
            protocol.server.protocol_disconnected(protocol)
            return
        handle_reply(protocol, message)

    refuse_unavailable.answers_try_again_later = True  # type: ignore[attr-defined]
    WebSocketProtocol.handle_reply = refuse_unavailable
