"""Live events: sent after commit, only to watched groups, coalesced by the server's flusher."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer
from django.db import transaction

from backoffice.lib import live_publisher as publisher
from backoffice.lib.live_interest import Interest


@pytest.fixture(autouse=True)
def _fresh_interest(monkeypatch):
    fresh = Interest()
    monkeypatch.setattr(publisher, "interest", fresh)
    monkeypatch.setattr("backoffice.lib.live_interest.interest", fresh)
    return fresh


def _group(name: str) -> str:
    # Unique per test run: the Redis layer is shared by every test process.
    return f"live.test.{name}.{id(object())}"


async def _listen(group: str) -> str:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


async def _next(channel: str, timeout: float = 2) -> dict:
    return await asyncio.wait_for(get_channel_layer().receive(channel), timeout)


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_an_event_reaches_a_watched_group_after_commit(_fresh_interest):
    group = _group("watched")
    channel = await _listen(group)
    _fresh_interest.watch([group])

    def change() -> None:
        with transaction.atomic():
            publisher.publish_on_commit([group], {"kind": "station.status", "station": 1})
            assert not publisher._outbox._pending  # nothing leaves before the commit

    await asyncio.to_thread(change)
    message = await _next(channel)
    assert message == {
        "type": publisher.BATCH,
        "events": [{"kind": "station.status", "station": 1}],
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_nothing_is_sent_for_a_rolled_back_change_or_an_unwatched_group(_fresh_interest):
    watched, unwatched = _group("watched"), _group("unwatched")
    watched_channel, unwatched_channel = await _listen(watched), await _listen(unwatched)
    _fresh_interest.watch([watched])

    def rolled_back() -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            publisher.publish_on_commit([watched], {"kind": "station.status", "station": 1})
            raise RuntimeError

    await asyncio.to_thread(rolled_back)
    await asyncio.to_thread(
        publisher.publish_on_commit, [unwatched], {"kind": "station.status", "station": 2}
    )
    with pytest.raises(TimeoutError):
        await _next(watched_channel, timeout=0.5)
    with pytest.raises(TimeoutError):
        await _next(unwatched_channel, timeout=0.5)


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_flusher_sends_one_batch_with_duplicates_coalesced(_fresh_interest, monkeypatch):
    monkeypatch.setattr(publisher, "_outbox", publisher._Outbox())
    group = _group("batched")
    channel = await _listen(group)
    _fresh_interest.watch([group])
    publisher._outbox.start()
    try:
        for station in (1, 1, 2, 1):
            await asyncio.to_thread(
                publisher.publish_on_commit, [group], {"kind": "station.status", "station": station}
            )
        message = await _next(channel)
    finally:
        publisher._outbox._task.cancel()
    assert message["events"] == [
        {"kind": "station.status", "station": 1},
        {"kind": "station.status", "station": 2},
    ]


def test_watches_are_shared_through_redis_and_expire(monkeypatch):
    group = _group("shared")
    writer, reader = Interest(), Interest()
    writer.watch([group])
    assert group in reader.watched()
    monkeypatch.setattr("backoffice.lib.live_interest.time.time", lambda: 10**12)
    assert group not in Interest().watched()
