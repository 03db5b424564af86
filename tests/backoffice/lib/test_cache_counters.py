"""Shared counters: what an address counts under."""

from __future__ import annotations

import pytest

from backoffice.lib.cache_counters import address_key


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("", ""),
    ],
)
def test_an_ipv6_client_counts_as_its_64_and_a_mapped_ipv4_as_itself(address, key):
    assert address_key(address) == key
