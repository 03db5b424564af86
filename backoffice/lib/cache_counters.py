"""Counters in Django's cache that every server process shares (Redis when REDIS_URL is set)."""

from __future__ import annotations

import ipaddress

from django.core.cache import cache


def bump(key: str, *, window: float) -> int:
    """Increment `key` atomically (INCR on Redis); it lives `window` seconds past this bump."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1
    cache.touch(key, timeout=window)
    return int(count)


def address_key(address: str) -> str:
    """What to count a client address under: an IPv6 client is its /64 (one subscriber's
    network holds 2**64 addresses, each of which would otherwise start from zero)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
