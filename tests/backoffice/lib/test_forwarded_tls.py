"""What TLS a client had, and which client certificate a proxy verified: believed only from
TRUSTED_PROXIES."""

from __future__ import annotations

from typing import Any

import pytest

from backoffice.lib import forwarded_tls


def scope(peer: str, *headers: tuple[str, str], scheme: str = "ws") -> dict[str, Any]:
    return {
        "type": "websocket",
        "scheme": scheme,
        "client": [peer, 40000],
        "headers": [(name.encode(), value.encode()) for name, value in headers],
    }


@pytest.fixture(autouse=True)
def _proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]


def test_a_direct_tls_socket_is_secure():
    assert forwarded_tls.is_secure(scope("192.0.2.1", scheme="wss"))


def test_a_trusted_proxy_saying_https_makes_it_secure():
    assert forwarded_tls.is_secure(scope("10.1.2.3", ("x-forwarded-proto", "https")))


def test_a_trusted_proxy_saying_http_does_not():
    assert not forwarded_tls.is_secure(scope("127.0.0.1", ("x-forwarded-proto", "http")))


def test_the_proxy_next_to_us_has_the_last_word():
    # A client's own value first, the proxy's appended after it.
    forged = scope("127.0.0.1", ("x-forwarded-proto", "https"), ("x-forwarded-proto", "http"))
    assert not forwarded_tls.is_secure(forged)
    assert not forwarded_tls.is_secure(scope("127.0.0.1", ("x-forwarded-proto", "https, http")))


def test_a_client_saying_https_itself_is_not_believed():
    assert not forwarded_tls.is_secure(scope("192.0.2.1", ("x-forwarded-proto", "https")))


def test_a_client_certificate_is_read_only_from_a_trusted_proxy():
    headers = (("x-ssl-client-verify", "SUCCESS"), ("x-ssl-client-cert", "-----BEGIN%20X"))
    assert forwarded_tls.client_certificate(scope("192.0.2.1", *headers)) is None
    reported = forwarded_tls.client_certificate(scope("127.0.0.1", *headers))
    assert reported == forwarded_tls.ProxiedCertificate("SUCCESS", "-----BEGIN X")
    assert reported.verified


def test_a_failed_or_missing_certificate_is_not_verified():
    failed = forwarded_tls.client_certificate(
        scope("127.0.0.1", ("x-ssl-client-verify", "FAILED:certificate revoked"))
    )
    assert failed is not None and not failed.verified
    assert forwarded_tls.client_certificate(scope("127.0.0.1")) is None
