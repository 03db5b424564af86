"""Small, documented patches to daphne (our ASGI server), installed once from backoffice.asgi.

Each module says what daphne does wrong for us and why the patch is the smallest fix; each is
a no-op under another ASGI server, and the tests through the real server catch a daphne or
Twisted upgrade that moves what they patch:

- close_codes: close frames with the codes PROTOCOL.md promises (1009 for oversize frames);
- tls_scheme: a WebSocket's scope says whether it came over TLS (security profile 2);
- body_limits: request bodies are refused before they are read (caps, upload tokens).
"""

from __future__ import annotations

from . import body_limits, close_codes, tls_scheme


def install() -> None:
    close_codes.install()
    tls_scheme.install()
    body_limits.install()
