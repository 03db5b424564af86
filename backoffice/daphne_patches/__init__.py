"""Small, documented patches to daphne (our ASGI server), installed once from backoffice.asgi.

Each module says what daphne does wrong for us and why the patch is the smallest fix; each is
a no-op under another ASGI server, and the tests through the real server catch a daphne or
Twisted upgrade that moves what they patch:

- close_codes: close frames with the codes PROTOCOL.md promises (1009 for oversize frames);
- tls_scheme: a WebSocket's scope says whether it came over TLS (security profile 2);
- body_limits: request bodies are refused before they are read (caps, upload tokens);
- upgrade_refusals: an upgrade refused for a passing cause (database down) gets HTTP 503;
- graceful_stop: on SIGTERM the application finishes its work before daphne cancels it;
- inbound_flow: a socket whose application is behind (or whose client does not read) is not
  read until it catches up, so one station cannot fill the worker's memory.
"""

from __future__ import annotations

from . import body_limits, close_codes, graceful_stop, inbound_flow, tls_scheme, upgrade_refusals


def install() -> None:
    close_codes.install()
    tls_scheme.install()
    body_limits.install()
    upgrade_refusals.install()
    graceful_stop.install()
    inbound_flow.install()
