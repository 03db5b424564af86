"""Celery tasks handed over in a charger's answer path, published off that path.

Subscribers of the domain events queue their work for Celery from the thread that answers the
charger, before the answer is sent (stations/events.py). `.delay()` talks to the broker there
and then. Measured with the broker's Redis stopped: 0.64 s per call (kombu's publish retries),
then 6 s (its connection retries); with Redis frozen, it never returned, and the OCPP database
thread it held was lost for good.

So in a server process (`start()`, called by the OCPP consumer) `enqueue` only appends to
memory, and one thread publishes. While the broker is unreachable that thread waits and tries
again (`backoffice.lib.outage`: logged once per outage), keeping at most MAX_PENDING tasks, the
oldest dropped beyond (counted in the log): an outage costs tasks, never an answer's time.
Elsewhere (Celery workers, commands, eager Celery in the quick start and tests) `enqueue` is
`.delay()`.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Any

import structlog
from celery import Task
from kombu.exceptions import OperationalError

from backoffice.lib.outage import UNREACHABLE, Outage

log = structlog.get_logger(__name__)

MAX_PENDING = 10_000
# What kombu raises for an unreachable broker (it wraps redis-py's errors), or redis-py itself.
BROKER_UNREACHABLE: tuple[type[BaseException], ...] = (OperationalError, *UNREACHABLE)


class _TaskOutbox:
    def __init__(self) -> None:
        self._pending: collections.deque[tuple[Task, dict[str, Any]]] = collections.deque(
            maxlen=MAX_PENDING
        )
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._dropped = 0
        self.outage = Outage("celery broker")

    def start(self) -> None:
        """Publish from a thread of this process from now on (idempotent)."""
        with self._ready:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="task-outbox", daemon=True)
                self._thread.start()

    def put(self, task: Task, kwargs: dict[str, Any]) -> None:
        if self._thread is None or task.app.conf.task_always_eager:
            task.delay(**kwargs)
            return
        with self._ready:
            if len(self._pending) == MAX_PENDING:
                self._dropped += 1
            self._pending.append((task, kwargs))
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._pending:
                    self._ready.wait()
                oldest = self._pending[0]
            if self._publish(*oldest):
                with self._ready:
                    # Unless the deque dropped it (full) while it was being published.
                    if self._pending and self._pending[0] is oldest:
                        self._pending.popleft()
            else:
                time.sleep(self.outage.pause())

    def _publish(self, task: Task, kwargs: dict[str, Any]) -> bool:
        """True when done with the task (published, or unpublishable), False to try again."""
        try:
            # Our own retries (the outage's pauses) instead of kombu's, which hold the thread.
            task.apply_async(kwargs=kwargs, retry=False)
        except BROKER_UNREACHABLE as err:
            self.outage.failed(err)
            return False
        except Exception:
            log.exception("task_outbox.publish_failed", task=task.name)
            return True
        self.outage.recovered()
        if self._dropped:
            with self._ready:
                dropped, self._dropped = self._dropped, 0
            log.warning("task_outbox.dropped", tasks=dropped, kept=MAX_PENDING)
        return True


_outbox = _TaskOutbox()
start = _outbox.start


def enqueue(task: Task, /, **kwargs: Any) -> None:
    """Queue `task(**kwargs)` for Celery; in a server process, without waiting on the broker."""
    _outbox.put(task, kwargs)
