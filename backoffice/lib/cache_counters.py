"""Counters in Django's cache that every server process shares (Redis when REDIS_URL is set).

While Redis is unreachable each process counts alone, in its own memory, as it does without
Redis: a refused charger still gets its 403 (not a 500 for the failed count), and after its
back-off, not after a wait on Redis (`backoffice.lib.outage`).
"""

from __future__ import annotations

import ipaddress

from django.core.cache import BaseCache, cache
from django.core.cache.backends.locmem import LocMemCache

from backoffice.lib.outage import UNREACHABLE, Outage

_own = LocMemCache("cache-counters-during-outage", {})
_outage = Outage("cache")


def bump(key: str, *, window: float) -> int:
    """Increment `key` atomically (INCR on Redis); it lives `window` seconds past this bump."""
    if _outage.may_try():
        try:
            count = _bump(cache, key, window)
        except UNREACHABLE as err:
            _outage.failed(err)
        else:
            _outage.recovered()
            return count
    return _bump(_own, key, window)


def _bump(counters: BaseCache, key: str, window: float) -> int:
    counters.add(key, 0, timeout=window)
    try:
        count = counters.incr(key)
    except ValueError:  # expired between add and incr
        counters.set(key, 1, timeout=window)
        return 1
    counters.touch(key, timeout=window)
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
