"""The shared connection registry: which server process holds which station's socket.

Rows live in the database so every process (and every page) sees them. Each process is a
Worker that beats every OCPP_WORKER_HEARTBEAT_SECONDS; a worker that misses three beats is
deleted by the next live one, and its connections with it, so a crashed process's stations
turn offline. Heartbeats only touch memory here; `beat()` writes last-seen times in one batch.

A new connection of a station takes its row over. Only an old connection held by a live
process is "replaced" (told to close, and a ConnectionReplaced security event stored): after a
restart or a crash the row belongs to a process that is gone, and the station reconnecting is
not a second connection of it (see `holder_is_live`).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from backoffice.lib import raw_sql
from stations import events
from stations.models import Station, StationConnection, Worker
from stations.services.security import security_events

log = structlog.get_logger(__name__)

_HOST = socket.gethostname()
WORKER_NAME = f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

# station pk -> last time a frame arrived; flushed to Station.last_seen_at by beat().
_seen: dict[int, datetime] = {}
_worker_id: int | None = None


def _expiry_cutoff(now: datetime) -> datetime:
    return now - timedelta(seconds=3 * settings.OCPP_WORKER_HEARTBEAT_SECONDS)


def beat(*, now: datetime | None = None) -> Worker:
    """Mark this process alive, flush last-seen times and expire dead workers' entries."""
    global _worker_id
    now = now or timezone.now()
    worker, _ = Worker.objects.update_or_create(
        name=WORKER_NAME,
        defaults={"beat_at": now},
        create_defaults={"beat_at": now, "started_at": now},
    )
    _worker_id = worker.pk
    flush_last_seen()
    dead = Worker.objects.filter(beat_at__lt=_expiry_cutoff(now)).exclude(pk=worker.pk)
    if dead.exists():
        count, _ = dead.delete()
        log.warning("connections.expired_workers", rows=count)
    # A restarted or crashed process of this host is known dead before its beats run out.
    neighbours = Worker.objects.filter(name__startswith=f"{_HOST}:").exclude(pk=worker.pk)
    gone = [pk for pk, name in neighbours.values_list("pk", "name") if _process_gone(name)]
    if gone:
        count, _ = Worker.objects.filter(pk__in=gone).delete()
        log.warning("connections.expired_dead_processes", rows=count)
    return worker


def _process_gone(worker_name: str) -> bool:
    """Whether `worker_name` is a process of this host that no longer runs.

    Worker names are host:pid:nonce (WORKER_NAME). A worker of another host is judged by its
    beats alone. Hosts are told apart by hostname, as WORKER_NAME already assumes.
    """
    host, _, rest = worker_name.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host != _HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        # Our pid under another name: this process's predecessor (a container restarted with
        # the same pid), not us.
        return worker_name != WORKER_NAME
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it runs, as another user
    return False


def holder_is_live(
    previous: StationConnection,
    *,
    worker_id: int,
    now: datetime,
    open_channels: Collection[str] | None = None,
) -> bool:
    """Whether the process holding `previous` still runs and its socket may still be open.

    Not when its worker stopped beating (a crash), when it is a gone process of this host (a
    restart, before its beats run out), or when it is this process's own entry whose socket is
    no longer open here (`open_channels`: this process's open or registering channels; None
    when unknown, then an own entry counts as live).
    """
    if previous.worker_id == worker_id:
        return open_channels is None or previous.channel_name in open_channels
    worker = previous.worker
    if worker.beat_at < _expiry_cutoff(now):
        return False
    return not _process_gone(worker.name)


@dataclass(frozen=True, slots=True)
class Registration:
    # The channel of the older, live connection this one replaced (to be told to close).
    replaced_channel: str | None = None
    # A newer connection of the station registered first: this one must close itself.
    superseded: bool = False


def register(
    *,
    station_id: int,
    channel_name: str,
    ocpp_version: str,
    remote_addr: str = "",
    opened_at: datetime | None = None,
    open_channels: Collection[str] | None = None,
) -> Registration:
    """Record that this process holds the station, unless a newer connection already does.

    `opened_at` is when the socket was accepted: registrations of two connections of one
    station may run in either order (thread pool, two processes), and the newest socket wins.
    `open_channels` are this process's open or registering channels (see `holder_is_live`).
    """
    now = timezone.now()
    opened_at = opened_at or now
    worker_id = _worker_id or beat(now=now).pk
    claim = (station_id, channel_name, ocpp_version, remote_addr, opened_at, open_channels)
    try:
        result = _claim(worker_id, *claim)
    except IntegrityError:
        # Our worker row was expired by another process (a long pause): come back and retry.
        result = _claim(beat(now=now).pk, *claim)
    if result.superseded:
        return result
    _seen[station_id] = now
    _announce_presence(station_id, online=True)
    if result.replaced_channel is None or result.replaced_channel == channel_name:
        return Registration()
    security_events.record_event(
        station_id=station_id,
        type=security_events.CONNECTION_REPLACED,
        timestamp=now,
        tech_info=f"A new authenticated connection from {remote_addr or '?'} replaced the open one",
        raised_by_backoffice=True,
    )
    return result


def _claim(
    worker_id: int,
    station_id: int,
    channel_name: str,
    ocpp_version: str,
    remote_addr: str,
    opened_at: datetime,
    open_channels: Collection[str] | None,
) -> Registration:
    with transaction.atomic():
        # Locking the station serialises two connections of one station racing each other. Its
        # registry entry and that entry's worker come in the same SELECT (only the station's
        # row is locked). Hand-written, as the upsert below: raw_sql's docstring says why.
        row = raw_sql.fetch_one(_HOLDER_SQL + raw_sql.for_update_of("s"), {"station": station_id})
        if row is None:
            raise Station.DoesNotExist(f"no station {station_id}")
        version, previous = _holder_of(row)
        if previous is not None and not holder_is_live(
            previous, worker_id=worker_id, now=timezone.now(), open_channels=open_channels
        ):
            # Left by a process that is gone (restart, crash) or a socket of ours already
            # closed: nobody to tell, and not a second connection of the station.
            log.info(
                "connections.took_over_dead_entry",
                station_id=station_id,
                worker=previous.worker.name,
                channel=previous.channel_name,
            )
            previous = None
        if previous is not None and previous.connected_at > opened_at:
            return Registration(superseded=True)
        if version != ocpp_version:
            # The version negotiated now is the station's (it may change with its firmware).
            Station.objects.filter(pk=station_id).update(ocpp_version=ocpp_version)
        # One upsert: update_or_create's SELECT and two savepoints were six round trips.
        with connection.cursor() as cursor:
            cursor.execute(
                _UPSERT_SQL,
                {
                    "station": station_id,
                    "worker": worker_id,
                    "channel": channel_name,
                    "version": ocpp_version,
                    "addr": remote_addr,
                    "at": opened_at,
                },
            )
    return Registration(replaced_channel=previous.channel_name if previous else None)


# The station, locked, with its registry entry and that entry's worker.
_HOLDER_SQL = """
SELECT s.ocpp_version, c.worker_id, c.channel_name, c.connected_at, w.name, w.beat_at
FROM stations_station s
LEFT JOIN stations_stationconnection c ON c.station_id = s.id
LEFT JOIN stations_worker w ON w.id = c.worker_id
WHERE s.id = %(station)s
"""
# This process holds the station now.
_UPSERT_SQL = """
INSERT INTO stations_stationconnection (station_id, worker_id, channel_name, ocpp_version,
    remote_addr, connected_at)
VALUES (%(station)s, %(worker)s, %(channel)s, %(version)s, %(addr)s, %(at)s)
ON CONFLICT (station_id) DO UPDATE SET worker_id = EXCLUDED.worker_id,
    channel_name = EXCLUDED.channel_name, ocpp_version = EXCLUDED.ocpp_version,
    remote_addr = EXCLUDED.remote_addr, connected_at = EXCLUDED.connected_at
"""


def _holder_of(row: tuple[Any, ...]) -> tuple[str, StationConnection | None]:
    """The station's version and its registry entry (with the entry's worker), from the row."""
    version, worker_id, channel_name, connected_at, worker_name, beat_at = row
    if worker_id is None:
        return version, None
    entry = StationConnection(
        worker_id=worker_id, channel_name=channel_name, connected_at=connected_at
    )
    entry.worker = Worker(pk=worker_id, name=worker_name, beat_at=beat_at)
    return version, entry


def unregister(*, station_id: int, channel_name: str) -> None:
    """Forget the connection, unless a newer one of the station has replaced it already."""
    gone, _ = StationConnection.objects.filter(
        station_id=station_id, channel_name=channel_name
    ).delete()
    if gone:
        _announce_presence(station_id, online=False)
    last = _seen.pop(station_id, None)
    if last is not None:
        Station.objects.filter(pk=station_id).update(last_seen_at=last)


def sweep(*, open_channels: set[str]) -> int:
    """Drop this process's entries whose socket is gone without `unregister` having run.

    A consumer that the server cancels mid-handshake (daphne's connect timeout) never runs its
    disconnect, while the registration it started still lands; its station would look online
    for as long as this process lives. `open_channels` is every channel of this process that
    is open or still registering, so an entry missing from it belongs to no socket.
    """
    if _worker_id is None:
        return 0
    held = StationConnection.objects.filter(worker_id=_worker_id).values_list(
        "channel_name", flat=True
    )
    orphans = [channel for channel in held if channel not in open_channels]
    if not orphans:
        return 0
    count, _ = StationConnection.objects.filter(
        worker_id=_worker_id, channel_name__in=orphans
    ).delete()
    log.warning("connections.swept_orphans", rows=count)
    return count


def _announce_presence(station_id: int, *, online: bool) -> None:
    presence = events.StationOnline if online else events.StationOffline
    events.announce(presence(station_id=station_id))


def touch(station_id: int) -> None:
    """A frame arrived: remember it in memory only (no write per heartbeat)."""
    _seen[station_id] = timezone.now()


def flush_last_seen() -> None:
    if not _seen:
        return
    pending = dict(_seen)
    # One UPDATE per distinct second rather than per station keeps the flush cheap.
    by_time: dict[datetime, list[int]] = {}
    for station_id, seen_at in pending.items():
        by_time.setdefault(seen_at.replace(microsecond=0), []).append(station_id)
    for seen_at, ids in by_time.items():
        Station.objects.filter(pk__in=ids).update(last_seen_at=seen_at)
    for station_id, seen_at in pending.items():
        if _seen.get(station_id) is seen_at:
            _seen.pop(station_id, None)  # unchanged since: nothing to write next time


def live(*, now: datetime | None = None) -> QuerySet[StationConnection]:
    """The connections whose process is alive (its worker beat within three intervals)."""
    return StationConnection.objects.filter(
        worker__beat_at__gte=_expiry_cutoff(now or timezone.now())
    )


def is_online(*, station_id: int, now: datetime | None = None) -> bool:
    return StationConnection.objects.filter(
        station_id=station_id, worker__beat_at__gte=_expiry_cutoff(now or timezone.now())
    ).exists()


def channel_for(*, station_id: int) -> str | None:
    """The channel of the process holding the station's socket, or None when offline."""
    connection = (
        StationConnection.objects.filter(
            station_id=station_id, worker__beat_at__gte=_expiry_cutoff(timezone.now())
        )
        .only("channel_name")
        .first()
    )
    return connection.channel_name if connection else None
