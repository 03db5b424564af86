"""Which live groups have a browser watching, shared by every process.

Publishers skip groups nobody watches: most stations have nobody looking at them, and a
channel-layer send per meter value to an empty group would cost the OCPP hot path a Redis round
trip. With Redis, watched groups live in a sorted set scored by expiry (browser sockets renew
theirs); without it (the embedded default, one process) in memory.
"""

from __future__ import annotations

import threading
import time
from typing import cast

import redis
from django.conf import settings

# A watch lasts this long unless its socket renews it (it does every third of it).
WATCH_SECONDS = 60.0
# Publishers read the watched set at most this often.
_CACHE_SECONDS = 1.0


class Interest:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local: dict[str, float] = {}
        self._cached: frozenset[str] = frozenset()
        self._cached_at = 0.0
        self._redis: redis.Redis | None = None

    def watch(self, groups: list[str]) -> None:
        expires = time.time() + WATCH_SECONDS
        client = self._client()
        if client is None:
            with self._lock:
                self._local.update(dict.fromkeys(groups, expires))
        elif groups:
            client.zadd(self._key(), dict.fromkeys(groups, expires))
        self._cached_at = 0.0  # a new watcher sees events from now on

    def watched(self) -> frozenset[str]:
        now = time.time()
        if now - self._cached_at < _CACHE_SECONDS:
            return self._cached
        client = self._client()
        if client is None:
            with self._lock:
                self._local = {g: exp for g, exp in self._local.items() if exp > now}
                groups = frozenset(self._local)
        else:
            client.zremrangebyscore(self._key(), "-inf", now)
            members = cast("list[bytes]", client.zrangebyscore(self._key(), now, "+inf"))
            groups = frozenset(member.decode() for member in members)
        self._cached, self._cached_at = groups, now
        return groups

    def _client(self) -> redis.Redis | None:
        if not settings.REDIS_URL:
            return None
        if self._redis is None:
            # A read takes a millisecond; a view publishing while Redis is frozen waits this
            # long once per pause of the publisher's outage (backoffice.lib.live_publisher).
            self._redis = redis.Redis.from_url(
                settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
            )
        return self._redis

    @staticmethod
    def _key() -> str:
        return f"{settings.CHANNEL_PREFIX}:live:watched"


interest = Interest()
