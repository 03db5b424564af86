"""Let consumers close with RFC 6455 §7.4.1 protocol codes (1002, 1009, 1011) on daphne.

daphne passes an ASGI close code to autobahn's sendClose(), which refuses all but 1000 and
3000-4999 and raises inside the consumer: the station got 1011 from daphne's error handler,
disconnect() never ran (the registry kept it online) and a close from the call task left the
socket open with every later frame ignored. PROTOCOL.md needs 1009 for oversized frames and
our own failure must close the socket, so the codes an endpoint may send are let through.
"""

from __future__ import annotations

# The codes an endpoint may send besides 1000 (1004-1006, 1010 and 1015 are not for servers).
PROTOCOL_CLOSE_CODES = frozenset({1001, 1002, 1003, 1007, 1008, 1009, 1011})


def install() -> None:
    try:
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:  # another ASGI server: it sends any valid code itself
        return
    server_close = WebSocketProtocol.serverClose
    if getattr(server_close, "allows_protocol_codes", False):
        return

    def close_with_any_valid_code(protocol: WebSocketProtocol, code: int | None = None) -> None:
        if code in PROTOCOL_CLOSE_CODES:
            protocol.sendCloseFrame(code=code, isReply=False)
        else:
            server_close(protocol, code=code)

    close_with_any_valid_code.allows_protocol_codes = True  # type: ignore[attr-defined]
    WebSocketProtocol.serverClose = close_with_any_valid_code
