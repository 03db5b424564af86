"""What TLS a client had: its own (served by `manage.py serve`'s TLS endpoint) or the TLS a
trusted reverse proxy terminated for it, with the client certificate the proxy verified.

Behind nginx the app sees plain HTTP from the proxy, so the proxy says what it saw in headers
(`deploy/nginx/backoffice.conf`): `X-Forwarded-Proto`, `X-SSL-Client-Verify` (nginx's
`$ssl_client_verify`: SUCCESS, FAILED:<reason> or NONE) and `X-SSL-Client-Cert` (the
URL-encoded PEM, `$ssl_client_escaped_cert`). They are believed only from a peer in
TRUSTED_PROXIES (client_address.is_trusted_proxy): anyone else could write them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from backoffice.lib import client_address

PROTO_HEADER = b"x-forwarded-proto"
VERIFY_HEADER = b"x-ssl-client-verify"
CERTIFICATE_HEADER = b"x-ssl-client-cert"
_SECURE_SCHEMES = frozenset({"https", "wss"})


@dataclass(frozen=True, slots=True)
class ProxiedCertificate:
    """The client certificate outcome a trusted proxy reported.

    `verify` is nginx's word: "SUCCESS", "NONE" (no certificate sent) or "FAILED:<reason>";
    `pem` the certificate itself (empty when none was sent).
    """

    verify: str
    pem: str = ""

    @property
    def verified(self) -> bool:
        return self.verify == "SUCCESS" and bool(self.pem)


def _header(scope: Mapping[str, object], name: bytes) -> str:
    """The last value of header `name` (a proxy appends; an earlier one may be the client's)."""
    headers = scope.get("headers") or []
    values = [value for key, value in headers if key == name]  # type: ignore[attr-defined]
    return values[-1].decode("latin-1").strip() if values else ""


def is_secure(scope: Mapping[str, object]) -> bool:
    """Whether the client reached us over TLS: directly, or at a trusted proxy that says so."""
    if scope.get("scheme") in _SECURE_SCHEMES:
        return True
    if not client_address.is_trusted_proxy(client_address.peer_of(scope)):
        return False
    # A chain of proxies appends: the right-most entry is what the proxy next to us saw.
    proto = _header(scope, PROTO_HEADER).rsplit(",", 1)[-1].strip().lower()
    return proto in _SECURE_SCHEMES


def client_certificate(scope: Mapping[str, object]) -> ProxiedCertificate | None:
    """The client certificate a trusted proxy verified, or None when no trusted proxy said."""
    if not client_address.is_trusted_proxy(client_address.peer_of(scope)):
        return None
    verify = _header(scope, VERIFY_HEADER)
    if not verify:
        return None
    return ProxiedCertificate(verify=verify, pem=unquote(_header(scope, CERTIFICATE_HEADER)))
