"""The raw OCPP message log, written in batches off the hot path.

Frames are appended to an in-memory buffer and flushed by one task per process every
OCPP_MESSAGE_LOG_FLUSH_SECONDS or OCPP_MESSAGE_LOG_BATCH_SIZE frames, whichever comes first.
Logging never delays an answer. A batch is stored in one transaction, all or nothing; when
the database cannot be reached the batch is kept and retried with the next flush, so a short
outage loses no frames (at most MAX_RETAINED_FRAMES are kept per process: beyond, the oldest
are dropped with a warning). Any other failure drops the batch with a warning, so one bad
frame cannot jam the log (the log is for operators, the business data is written by the
services). On PostgreSQL a batch is one COPY, the cheapest way in for many rows; frames
wait as plain tuples, not model instances (building one per frame on the event loop was a
measurable share of its time). Each flush tells
the pages showing a station's log that it has new frames ("station.frames", one event per
station per flush; stations nobody watches cost nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

import structlog
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from backoffice.lib import live_publisher as live
from stations.models import MessageLog
from stations.services.commands import command_secrets

from .db import run_db

log = structlog.get_logger(__name__)

# Frames kept per process while the database is unreachable (about 1 KiB each): minutes of
# a busy network's traffic, bounded so that a long outage cannot exhaust memory.
MAX_RETAINED_FRAMES = 50_000

# A frame waiting to be stored: MessageLog's columns, in this order.
_Frame = tuple[str, str, int | None, str, str, str, datetime]
_COLUMNS = (
    "station_identity",
    "direction",
    "message_type",
    "message_id",
    "action",
    "frame",
    "created_at",
)
_COPY_SQL = f"COPY stations_messagelog ({', '.join(_COLUMNS)}) FROM STDIN"


class MessageLogWriter:
    def __init__(self) -> None:
        self._buffer: list[_Frame] = []
        # Stations (pk) with frames in the buffer, told once the buffer is stored.
        self._stations: set[int] = set()
        self._task: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Event | None = None
        # One flush at a time: the final one on a stop waits for a periodic one under way.
        self._flushing = asyncio.Lock()

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
            (
                station_identity[:48],
                direction,
                message_type,
                message_id[:64],
                action[:64],
                # Credentials in either direction are masked before anything keeps them.
                command_secrets.redact_frame(frame),
                at or timezone.now(),
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
        async with self._flushing:
            await self._flush()

    async def _flush(self) -> None:
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        stations, self._stations = self._stations, set()
        try:
            await run_db(_store)(batch, stations)
        except (OperationalError, InterfaceError):
            log.warning("message_log.flush_failed_retained", frames=len(batch), exc_info=True)
            self._retain(batch, stations)
        except Exception:
            log.exception("message_log.flush_failed", frames=len(batch))

    def _retain(self, batch: list[_Frame], stations: set[int]) -> None:
        """Put an unstored batch back in front of the frames that came since, within the cap."""
        self._buffer = batch + self._buffer
        self._stations |= stations
        excess = len(self._buffer) - MAX_RETAINED_FRAMES
        if excess > 0:
            del self._buffer[:excess]
            log.warning("message_log.frames_dropped", frames=excess, kept=MAX_RETAINED_FRAMES)


def _store(batch: list[_Frame], stations: set[int]) -> None:
    # One transaction: a batch that fails is stored not at all, so its retry cannot store a
    # frame twice (a batch kept through an outage may hold more than one insert's worth).
    with transaction.atomic():
        _insert(batch)
        for station_pk in sorted(stations):
            live.publish_on_commit(
                [live.station_group(station_pk)],
                {"kind": "station.frames", "station": station_pk},
            )


def _insert(batch: list[_Frame]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.copy(_COPY_SQL) as copy:
            for frame in batch:
                copy.write_row(frame)
    else:
        MessageLog.objects.bulk_create(
            [MessageLog(**dict(zip(_COLUMNS, frame, strict=True))) for frame in batch],
            batch_size=settings.OCPP_MESSAGE_LOG_BATCH_SIZE,
        )


writer = MessageLogWriter()
