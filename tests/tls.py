"""TLS for tests: a test root, a server certificate for 127.0.0.1, clients' contexts, and a
wss:// endpoint the `tests.ocpp_client` helpers connect to like a LiveOcppServer."""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path

from tests.x509 import root_pem, server_certificate_pem


@dataclass(frozen=True)
class ServerTls:
    """A test PKI's files: the root clients trust, and the server's certificate and key."""

    root: Path
    certificate: Path
    key: Path

    def client_context(
        self, *, certificate: Path | None = None, key: Path | None = None
    ) -> ssl.SSLContext:
        """A client trusting the test root, presenting `certificate` (with `key`) if given."""
        context = ssl.create_default_context(cafile=str(self.root))
        if certificate is not None:
            context.load_cert_chain(str(certificate), str(key))
        return context


def make_server_tls(directory: Path) -> ServerTls:
    root, root_key = root_pem("Test TLS Root")
    certificate, key = server_certificate_pem(root, root_key, hosts=("127.0.0.1", "localhost"))
    files = ServerTls(directory / "root.pem", directory / "server.pem", directory / "server.key")
    files.root.write_text(root)
    files.certificate.write_text(certificate)
    files.key.write_text(key)
    files.key.chmod(0o600)
    return files


def legacy_client_context(root: Path, version: ssl.TLSVersion) -> ssl.SSLContext:
    """A client offering only `version` (below 1.2), as an old charger would: the server
    must refuse it."""
    context = ssl.create_default_context(cafile=str(root))
    # OpenSSL 3 will not even offer TLS 1.0/1.1 above security level 0.
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.minimum_version = version
    context.maximum_version = version
    return context


def handshake_error(port: int, context: ssl.SSLContext) -> str:
    """The TLS handshake's failure with the server on `port`, or "" when it succeeded."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        try:
            with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                return ""
        except ssl.SSLError as error:
            return str(error)


def wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@dataclass(frozen=True)
class WssEndpoint:
    """Where chargers connect over TLS; quacks like LiveOcppServer for `tests.ocpp_client`."""

    host_port: str

    def ws_url(self, identity: str, suffix: str = "") -> str:
        return f"wss://{self.host_port}/ocpp/{identity}{suffix}"


@dataclass(frozen=True)
class PlainEndpoint:
    """Where chargers connect without TLS (ws://)."""

    host_port: str

    def ws_url(self, identity: str, suffix: str = "") -> str:
        return f"ws://{self.host_port}/ocpp/{identity}{suffix}"
