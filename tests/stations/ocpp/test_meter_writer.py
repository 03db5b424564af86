"""Meter values of many stations share one INSERT and commit; a bad frame fails alone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from stations.models import MeterValue
from stations.ocpp.meter_writer import MeterValueWriter
from stations.services.charging import metering
from stations.services.types import EvseRef, MeterReading, SampledValue
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.asyncio

T0 = datetime(2026, 1, 5, 10, tzinfo=UTC)


def frame(station_id: int, n: int) -> metering.PreparedValues:
    reading = MeterReading(
        timestamp=T0 + timedelta(seconds=n), samples=(SampledValue(value=str(n)),)
    )
    return metering.prepare(station_id=station_id, readings=(reading,), evse=EvseRef(1, 1))


async def test_concurrent_frames_are_written_in_few_batches(transactional_db, monkeypatch):
    stations = [StationFactory() for _ in range(20)]
    batches: list[int] = []
    real_insert = metering.insert

    def counting_insert(frames):
        batches.append(len(frames))
        real_insert(frames)

    monkeypatch.setattr(metering, "insert", counting_insert)
    writer = MeterValueWriter()
    await asyncio.gather(*(writer.write(frame(s.pk, i)) for i, s in enumerate(stations)))
    assert MeterValue.objects.count() == 20
    assert sum(batches) == 20
    assert len(batches) < 20


async def test_a_frame_that_cannot_be_stored_fails_alone(transactional_db):
    good = StationFactory()
    frames = [frame(good.pk, 1), frame(good.pk, 2)]
    bad = frame(good.pk, 3)
    for row in bad.rows:
        row.station_id = 999_999  # no such station: the batch's commit fails
    writer = MeterValueWriter()
    results = await asyncio.gather(
        *(writer.write(f) for f in [*frames, bad]), return_exceptions=True
    )
    assert results[:2] == [None, None]
    assert isinstance(results[2], Exception)
    assert sorted(MeterValue.objects.values_list("timestamp", flat=True)) == [
        T0 + timedelta(seconds=1),
        T0 + timedelta(seconds=2),
    ]
