"""Periodic tasks without celery beat, for the embedded quick start.

Without REDIS_URL there is no broker and no beat process: tasks run eagerly in the process that
asks for them. `manage.py serve` then runs the schedules of `backoffice.schedules` itself, in a
thread: reservations expire, time limits and idle cars are checked, the message log is purged,
as in production.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from celery.schedules import crontab
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

from .schedules import SCHEDULES

log = structlog.get_logger(__name__)

# How often the thread looks for due tasks (the schedules are per minute at most).
CHECK_SECONDS = 20.0


def needed() -> bool:
    """Whether this server must run the schedules: no broker, so no celery beat either."""
    return not settings.REDIS_URL


class EmbeddedBeat:
    def __init__(
        self,
        schedules: dict[str, tuple[str, dict[str, Any]]] = SCHEDULES,
        now: Callable[[], datetime] = timezone.now,
    ) -> None:
        self._now = now
        started = now()
        self._entries = [
            (name, task, crontab(**fields, nowfun=now))
            for name, (task, fields) in schedules.items()
        ]
        # Due from the next matching time on, as beat counts a schedule it has just been given.
        self._last_run = dict.fromkeys(schedules, started)

    def tick(self) -> list[str]:
        """Run the tasks that are due; returns their names. A failing task is logged and tried
        again at its next time; the others run."""
        ran = []
        for name, task, schedule in self._entries:
            due, _ = schedule.is_due(self._last_run[name])
            if not due:
                continue
            self._last_run[name] = self._now()
            close_old_connections()
            try:
                import_string(task)()
            except Exception:
                log.exception("embedded_beat.task_failed", task=task)
            finally:
                close_old_connections()
            ran.append(name)
        return ran

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, name="embedded-beat", daemon=True)
        thread.start()
        log.info("embedded_beat.started", tasks=[task for _, task, _ in self._entries])
        return thread

    def _run(self) -> None:
        stop = threading.Event()
        while not stop.wait(CHECK_SECONDS):
            self.tick()
