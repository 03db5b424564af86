"""Meter values of many stations written together: one INSERT and one commit per batch.

A frame is answered only once its batch has committed (nothing acknowledged is lost). No
timer: while one batch is being written the next one fills, so batches grow with the load and
a lone frame is written at once. If a batch fails, its frames are written one by one, so one
bad frame fails alone (and only its socket is closed, by the session).
"""

from __future__ import annotations

import asyncio

import structlog

from stations.services.charging import metering

from .db import run_db

log = structlog.get_logger(__name__)


class MeterValueWriter:
    def __init__(self) -> None:
        self._pending: list[tuple[metering.PreparedValues, asyncio.Future[None]]] = []
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def write(self, frame: metering.PreparedValues) -> None:
        """Return once `frame` is committed; raise what writing it raised."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((frame, future))
        self._ensure_task()
        assert self._wakeup is not None  # noqa: S101 - set with the task
        self._wakeup.set()
        await future

    def _ensure_task(self) -> None:
        if self._task is None or self._task.done():
            self._wakeup = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self._wakeup is not None  # noqa: S101 - set with the task
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            batch, self._pending = self._pending, []
            if batch:
                await self._write(batch)

    async def _write(
        self, batch: list[tuple[metering.PreparedValues, asyncio.Future[None]]]
    ) -> None:
        try:
            await run_db(metering.insert)([frame for frame, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch, error=exc)
                return
            log.warning("meter_writer.batch_failed_retrying_alone", frames=len(batch))
            for item in batch:
                await self._write([item])
            return
        _settle(batch, error=None)


def _settle(
    batch: list[tuple[metering.PreparedValues, asyncio.Future[None]]],
    *,
    error: Exception | None,
) -> None:
    for _, future in batch:
        if future.done():  # its station went away meanwhile
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(None)


writer = MeterValueWriter()
