"""The raw OCPP message log, written in batches off the hot path.

Frames are appended to an in-memory buffer and flushed by one task per process every
OCPP_MESSAGE_LOG_FLUSH_SECONDS or OCPP_MESSAGE_LOG_BATCH_SIZE frames, whichever comes first.
Logging never delays an answer; a batch that cannot be written is dropped with a warning
(the log is for operators, the business data is written by the services). Each flush tells
the pages showing a station's log that it has new frames ("station.frames", one event per
station per flush; stations nobody watches cost nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

import structlog
from django.conf import settings
from django.utils import timezone

from backoffice.lib import live_publisher as live
from stations.models import MessageLog
from stations.services.commands import command_secrets

from .db import run_db

log = structlog.get_logger(__name__)


class MessageLogWriter:
    def __init__(self) -> None:
        self._buffer: list[MessageLog] = []
        # Stations (pk) with frames in the buffer, told once the buffer is stored.
        self._stations: set[int] = set()
        self._task: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Event | None = None

    def append(
        self,
        *,
        station_identity: str,
        direction: str,
        frame: str,
        message_type: int | None = None,
        message_id: str = "",
        action: str = "",
        at: datetime | None = None,
        station_pk: int | None = None,
    ) -> None:
        self._buffer.append(
            MessageLog(
                station_identity=station_identity[:48],
                direction=direction,
                message_type=message_type,
                message_id=message_id[:64],
                action=action[:64],
                # Credentials in either direction are masked before anything keeps them.
                frame=command_secrets.redact_frame(frame),
                created_at=at or timezone.now(),
            )
        )
        if station_pk is not None:
            self._stations.add(station_pk)
        self._ensure_task()
        if len(self._buffer) >= settings.OCPP_MESSAGE_LOG_BATCH_SIZE and self._wakeup:
            self._wakeup.set()

    def _ensure_task(self) -> None:
        if self._task is None or self._task.done():
            self._wakeup = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            assert self._wakeup is not None  # noqa: S101 - set with the task
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wakeup.wait(), timeout=settings.OCPP_MESSAGE_LOG_FLUSH_SECONDS
                )
            self._wakeup.clear()
            await self.flush()

    async def flush(self) -> None:
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        stations, self._stations = self._stations, set()
        try:
            await run_db(_store)(batch, stations)
        except Exception:
            log.exception("message_log.flush_failed", frames=len(batch))


def _store(batch: list[MessageLog], stations: set[int]) -> None:
    MessageLog.objects.bulk_create(batch)
    for station_pk in sorted(stations):
        live.publish_on_commit(
            [live.station_group(station_pk)], {"kind": "station.frames", "station": station_pk}
        )


writer = MessageLogWriter()
