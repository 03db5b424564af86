"""Domain events for live pages, published to channel-layer groups after commit.

An event says what changed (`{"kind": "station.status", "station": 12}`), not the new state:
a page re-fetches the fragment it shows, so the database stays the only truth and an event
dropped by the layer costs a stale fragment until the next one, never a wrong one.

Services publish from the OCPP server's database threads and from views, so events go through
an outbox: in a server process, one task sends them every LIVE_FLUSH_SECONDS, one batch per
group with duplicates coalesced; in a process without a running server loop (Celery, commands)
they are sent at once. Groups nobody watches are skipped (`interest`).

Redis is read and written by the flusher only, never in a charger's answer path: the OCPP
threads append to memory. While Redis is unreachable, batches are dropped (stale fragments
until the outage ends, logged once per outage: `backoffice.lib.outage`).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import structlog
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from backoffice.lib.live_interest import interest
from backoffice.lib.outage import UNREACHABLE, Outage

log = structlog.get_logger(__name__)

BATCH = "live.batch"


def station_group(station_id: int) -> str:
    return f"live.station.{station_id}"


def transaction_group(transaction_id: int) -> str:
    return f"live.transaction.{transaction_id}"


def user_group(user_pk: int) -> str:
    """A user's own events (their notifications); only they may watch it (page name "me")."""
    return f"live.user.{user_pk}"


NETWORK_GROUP = "live.network"
ACCESS_CHANGED = "live.access_changed"


def access_group(user_pk: int) -> str:
    """Every live socket of a user, told when the user's access changes (never a page's)."""
    return f"live.access.{user_pk}"


def access_changed(*, user_pk: int) -> None:
    """The user's role, sites, activity or password changed: their live sockets re-check what
    they watch, or close, once the change commits. Not batched or filtered by interest: the
    layer may still drop it, so the sockets also re-check on their own every WATCH_SECONDS/3."""
    transaction.on_commit(lambda: _group_send(access_group(user_pk), {"type": ACCESS_CHANGED}))


def _group_send(group: str, message: dict[str, Any]) -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a view, a task, a command: no loop in this thread
        async_to_sync(_send_to_group)(group, message)
    else:
        task = loop.create_task(_send_to_group(group, message))
        _sending.add(task)  # kept until done: the loop holds only a weak reference
        task.add_done_callback(_sending.discard)


_sending: set[asyncio.Task[bool]] = set()
_outage = Outage("live pages")


async def _send_to_group(group: str, message: dict[str, Any]) -> bool:
    """Send to the group; False (logged once per outage) when Redis is unreachable."""
    try:
        await get_channel_layer().group_send(group, message)
    except UNREACHABLE as err:
        _outage.failed(err)
        return False
    except Exception:
        # A lost batch is a stale fragment until the next event: log, keep going.
        log.exception("live.publish_failed", group=group)
        return True
    _outage.recovered()
    return True


def transaction_changed(*, station_id: int, transaction_pk: int) -> None:
    """A session started, changed state or ended: its page, its station's, the dashboard."""
    publish_on_commit(
        [station_group(station_id), transaction_group(transaction_pk), NETWORK_GROUP],
        {"kind": "transaction.updated", "station": station_id, "transaction": transaction_pk},
    )


def publish_on_commit(groups: list[str], event: dict[str, Any]) -> None:
    """Send `event` to `groups` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _outbox.put(groups, event))


class _Outbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        # group -> coalescing key -> event; dicts keep the order events came in.
        self._pending: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Flush from the running loop from now on (called by the server's consumers)."""
        if self._task is None or self._task.done():
            self._loop = asyncio.get_running_loop()
            self._task = self._loop.create_task(self._run())

    def put(self, groups: list[str], event: dict[str, Any]) -> None:
        if self._task is None or self._task.done() or self._loop is None:
            for group in _watched(groups):
                async_to_sync(_send_to_group)(group, {"type": BATCH, "events": [event]})
            return
        # Who watches is read by the flusher, off the answer path of the OCPP threads.
        key = tuple(sorted(event.items()))
        with self._lock:
            for group in groups:
                self._pending.setdefault(group, {})[key] = event

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(settings.LIVE_FLUSH_SECONDS)
            with self._lock:
                pending, self._pending = self._pending, {}
            if not pending:
                continue
            try:
                await self._flush(pending)
            except Exception:
                # The flusher outlives any batch: a lost one is stale fragments for a while.
                log.exception("live.flush_failed")

    @staticmethod
    async def _flush(pending: dict[str, dict[tuple[Any, ...], dict[str, Any]]]) -> None:
        for group in await asyncio.to_thread(_watched, list(pending)):
            events = list(pending[group].values())
            if not await _send_to_group(group, {"type": BATCH, "events": events}):
                return  # Redis is away: drop the rest of the batch too


def _watched(groups: list[str]) -> list[str]:
    """The groups somebody watches (none while Redis is unreachable)."""
    if not _outage.may_try():
        return []
    try:
        watched = interest.watched()
    except UNREACHABLE as err:
        _outage.failed(err)
        return []
    _outage.recovered()
    return [group for group in groups if group in watched]


_outbox = _Outbox()
start_flusher = _outbox.start
