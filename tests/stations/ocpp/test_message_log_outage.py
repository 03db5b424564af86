"""Frames logged while the database is unreachable are stored once it is back, exactly once."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from stations.models import MessageLog
from stations.ocpp import message_log
from stations.ocpp.message_log import MessageLogWriter

pytestmark = pytest.mark.asyncio


def log_frames(writer: MessageLogWriter, ids: range) -> None:
    for n in ids:
        writer.append(
            station_identity="CP-1",
            direction="in",
            frame=f'[2,"{n}","Heartbeat",{{}}]',
            message_type=2,
            message_id=str(n),
            action="Heartbeat",
        )


@pytest.fixture
def writer(settings):
    # Flushed by the test only, not by the writer's own task.
    settings.OCPP_MESSAGE_LOG_FLUSH_SECONDS = 3600
    writer = MessageLogWriter()
    yield writer
    if writer._task is not None:
        writer._task.cancel()


def fail_first_insert(monkeypatch, *, after_inserting: bool) -> None:
    real_insert = message_log._insert
    calls = []

    def insert(batch):
        calls.append(len(batch))
        if len(calls) == 1:
            if after_inserting:  # the connection drops after part of the work was done
                real_insert(batch)
            raise OperationalError("connection to server was lost")
        return real_insert(batch)

    monkeypatch.setattr(message_log, "_insert", insert)


@pytest.mark.parametrize("after_inserting", [False, True], ids=["before", "after-inserting"])
async def test_a_failed_batch_is_retried_and_stored_once(
    transactional_db, writer, monkeypatch, after_inserting
):
    fail_first_insert(monkeypatch, after_inserting=after_inserting)
    log_frames(writer, range(3))
    await writer.flush()  # the database is away: nothing stored, nothing lost
    assert MessageLog.objects.count() == 0
    log_frames(writer, range(3, 5))
    await writer.flush()
    stored = sorted(MessageLog.objects.values_list("message_id", flat=True))
    assert stored == [str(n) for n in range(5)]


async def test_frames_kept_through_an_outage_are_bounded(transactional_db, writer, monkeypatch):
    monkeypatch.setattr(message_log, "MAX_RETAINED_FRAMES", 4)
    real_insert = message_log._insert
    down = True

    def insert(batch):
        if down:
            raise OperationalError("could not connect to server")
        return real_insert(batch)

    monkeypatch.setattr(message_log, "_insert", insert)
    log_frames(writer, range(3))
    await writer.flush()
    log_frames(writer, range(3, 6))
    await writer.flush()  # six frames kept would pass the cap: the two oldest go
    down = False
    await writer.flush()
    stored = sorted(MessageLog.objects.values_list("message_id", flat=True))
    assert stored == ["2", "3", "4", "5"]
