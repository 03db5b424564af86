from __future__ import annotations

from django.test import override_settings

from backoffice.lib.client_address import client_address, from_asgi_scope, is_trusted_proxy


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say():
    with override_settings(TRUSTED_PROXIES=[]):
        assert client_address("203.0.113.9", ["1.2.3.4"]) == "203.0.113.9"


def test_a_trusted_proxy_vouches_for_the_entry_it_appended():
    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        # The client forged "1.2.3.4"; nginx appended the real peer.
        assert client_address("127.0.0.1", ["1.2.3.4, 198.51.100.7"]) == "198.51.100.7"


def test_chained_trusted_proxies_are_walked_from_the_right():
    with override_settings(TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8"]):
        assert client_address("127.0.0.1", ["6.6.6.6, 198.51.100.7", "10.1.2.3"]) == "198.51.100.7"


def test_a_request_from_an_untrusted_address_never_passes_for_the_proxy():
    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        assert not is_trusted_proxy("127.0.0.2")
        assert not is_trusted_proxy("not an address")
        scope = {"client": ["192.0.2.1", 5000], "headers": [(b"x-forwarded-for", b"127.0.0.1")]}
        assert from_asgi_scope(scope) == "192.0.2.1"
