"""The live socket opens only from this site's own pages: same host and same port.

channels' AllowedHostsOriginValidator compares the Origin's host with ALLOWED_HOSTS and
ignores the port, so a page served from http://127.0.0.1:9999 (any local program) could open
the live socket of :8000 with the user's session cookie (issue 11). Here the Origin's host and
port must equal the socket's own Host header; an origin listed exactly in
CSRF_TRUSTED_ORIGINS is taken too (pages served under another name through a proxy).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import SplitResult, urlsplit

import structlog
from channels.security.websocket import WebsocketDenier
from django.conf import settings

log = structlog.get_logger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}


class SameOriginValidator:
    """ASGI wrapper for browser sockets: refuses a handshake from another origin."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode("latin1")
        host = headers.get(b"host", b"").decode("latin1")
        if is_same_origin(origin=origin, host=host):
            return await self.application(scope, receive, send)
        log.warning("live.origin_refused", origin=origin[:200], host=host[:200])
        return await WebsocketDenier()(scope, receive, send)


def is_same_origin(*, origin: str, host: str) -> bool:
    """Whether a page of `origin` is this site, reached as `host` (the Host header)."""
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    page, served = urlsplit(origin), urlsplit(f"//{host}")
    if page.scheme not in _DEFAULT_PORTS or not page.hostname or not host:
        return False
    # A browser leaves out the default port of its scheme, in the Origin and in the Host.
    page_port = _port(page, page.scheme)
    return (
        page_port is not None
        and page_port == _port(served, page.scheme)
        and page.hostname == served.hostname
    )


def _port(address: SplitResult, scheme: str) -> int | None:
    try:
        return address.port or _DEFAULT_PORTS[scheme]
    except ValueError:  # not a port number
        return None
