"""Tell consumers whether a WebSocket came over TLS on daphne.

daphne builds a WebSocket's ASGI scope without "scheme" (its HTTP scope has one), so a station
connecting to `manage.py serve`'s own wss:// endpoint looked like plain ws:// and every
security profile 2 station was refused there. The scheme is filled from the transport.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    try:
        from daphne.server import Server
        from twisted.internet.interfaces import ISSLTransport
    except ImportError:  # another ASGI server: it sets the scheme itself
        return
    create_application = Server.create_application
    if getattr(create_application, "sets_websocket_scheme", False):
        return

    def create_with_scheme(server: Server, protocol: Any, scope: dict[str, Any]) -> Any:
        if scope.get("type") == "websocket" and "scheme" not in scope:
            secure = ISSLTransport.providedBy(getattr(protocol, "transport", None))
            scope["scheme"] = "wss" if secure else "ws"
        return create_application(server, protocol, scope)

    create_with_scheme.sets_websocket_scheme = True  # type: ignore[attr-defined]
    Server.create_application = create_with_scheme
