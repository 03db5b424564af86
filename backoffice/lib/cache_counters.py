"""Counters in Django's cache that every server process shares (Redis when REDIS_URL is set)."""

from __future__ import annotations

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
