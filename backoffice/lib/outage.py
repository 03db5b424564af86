"""The outage of one Redis client in this process, so that its callers stand through it.

Redis carries nothing a charger's answer needs: wake-ups between processes, live-page events,
Celery's queue, shared counters. A client that finds it unreachable says so once per outage
and process (`redis.unavailable`), not once per socket, event or retry, and once more when it
answers again (`redis.available_again`, with how long it was away). In between, callers skip
it and try again after a pause that grows from FIRST_PAUSE to MAX_PAUSE seconds.
"""

from __future__ import annotations

import threading
import time

import redis
import structlog

log = structlog.get_logger(__name__)

FIRST_PAUSE = 0.5
MAX_PAUSE = 5.0

# What says Redis is unreachable, not that a request was wrong: refused or dropped connections,
# a full connection pool (MaxConnectionsError is a ConnectionError), silence past a timeout.
UNREACHABLE: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,  # the builtin TimeoutError (asyncio's too) and refused connections
)


class Outage:
    """Whether `client` is away, and when to try it again. Thread-safe."""

    def __init__(self, client: str) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._since: float | None = None
        self._pause = FIRST_PAUSE
        self._retry_at = 0.0

    @property
    def active(self) -> bool:
        return self._since is not None

    def failed(self, error: BaseException) -> None:
        """A call found Redis unreachable: the first in an outage logs it, later ones lengthen
        the pause before the next try."""
        with self._lock:
            now = time.monotonic()
            began = self._since is None
            if began:
                self._since, self._pause = now, FIRST_PAUSE
            else:
                self._pause = min(self._pause * 2, MAX_PAUSE)
            self._retry_at = now + self._pause
        if began:
            log.warning(
                "redis.unavailable", client=self.client, error=str(error) or type(error).__name__
            )

    def recovered(self) -> None:
        """A call went through: the outage, if any, is over."""
        if self._since is None:
            return
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            log.info(
                "redis.available_again",
                client=self.client,
                seconds=round(time.monotonic() - since, 1),
            )

    def may_try(self) -> bool:
        """Whether to call Redis now: no outage, or the pause is over. One caller per pause
        gets True during an outage; the others skip."""
        if self._since is None:
            return True
        with self._lock:
            now = time.monotonic()
            if self._since is None:
                return True
            if now < self._retry_at:
                return False
            self._retry_at = now + self._pause
            return True

    def pause(self) -> float:
        """Seconds until Redis is worth trying again (0 when there is no outage)."""
        if self._since is None:
            return 0.0
        return max(0.0, self._retry_at - time.monotonic())
