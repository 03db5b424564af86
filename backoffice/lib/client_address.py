"""Who is on the other end of a request or socket, when reverse proxies stand in between.

Only the proxies listed in TRUSTED_PROXIES (addresses or networks) are believed: their
`X-Forwarded-For` entries and the verified client-certificate headers they set. Everything a
client sends itself is forgeable, so with no trusted proxy the socket's peer address is the
client, whatever the headers say. This is the one place that decides it, for the station login
limiter, the sign-in policy and the mutual-TLS identity alike.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def is_trusted_proxy(address: str) -> bool:
    """Whether `address` (the socket's peer) is one of the configured reverse proxies."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted_networks())


def client_address(peer: str, forwarded_for: Iterable[str] = ()) -> str:
    """The client's address: the right-most `X-Forwarded-For` entry not set by a trusted proxy.

    `forwarded_for` holds the header's values in order (several headers are joined). Walking
    from the right, each trusted hop vouches for the entry before it; the first untrusted one is
    the client. A client can prepend anything, which is never read.
    """
    if not is_trusted_proxy(peer):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    address = peer
    while hops and is_trusted_proxy(address):
        address = hops.pop()
    return address


def peer_of(scope: Mapping[str, object]) -> str:
    """The address of the socket's other end in an ASGI scope ("" when the server gave none)."""
    client = scope.get("client") or ("", 0)
    return str(client[0]) if isinstance(client, list | tuple) and client else ""


def from_asgi_scope(scope: Mapping[str, object]) -> str:
    """client_address() for an ASGI scope (HTTP or WebSocket)."""
    peer = peer_of(scope)
    headers = scope.get("headers") or []
    forwarded = [
        value.decode("latin-1")
        for name, value in headers  # type: ignore[attr-defined]
        if name == b"x-forwarded-for"
    ]
    return client_address(peer, forwarded)


def from_request(request: object) -> str:
    """client_address() for a Django HttpRequest."""
    meta = request.META  # type: ignore[attr-defined]
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    return client_address(meta.get("REMOTE_ADDR", ""), [forwarded] if forwarded else [])
