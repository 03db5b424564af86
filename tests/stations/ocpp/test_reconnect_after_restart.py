"""A station reconnecting after a restart or a crash takes its registry entry over quietly.

The entry it finds belongs to a process that is gone: nobody is told to close (a notice to a
dead channel only loaded Redis in a reconnect storm) and no ConnectionReplaced security event
is stored. Only a connection held by a live process is replaced.
"""

from __future__ import annotations

import socket
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from redis.exceptions import MaxConnectionsError
from structlog.testing import capture_logs

from stations.models import SecurityEvent, Station, StationConnection, Worker
from stations.ocpp.consumer import OcppConsumer
from stations.services.security import security_events
from tests.factories.stations import StationFactory
from tests.ocpp_client import eventually, exchange, raw_socket

pytestmark = pytest.mark.asyncio

HEARTBEAT = [2, "hb", "Heartbeat", {}]


def gone_pid() -> int:
    """The pid of a process of this host that has exited (as a server's worker after a kill)."""
    child = subprocess.Popen(["true"])  # noqa: S607 - coreutils
    child.wait()
    return child.pid


def left_behind(station: Station, worker_name: str, *, beat_at) -> str:
    """A registry entry of `worker_name` for `station`, its channel leading nowhere."""
    worker = Worker.objects.create(name=worker_name, started_at=beat_at, beat_at=beat_at)
    channel = "specific.gone!abc"
    StationConnection.objects.create(
        station=station,
        worker=worker,
        channel_name=channel,
        ocpp_version="1.6",
        connected_at=beat_at - timedelta(minutes=1),
    )
    return channel


async def reconnects(server, station: Station, old_channel: str) -> None:
    async with raw_socket(server, station.identity) as ws:
        assert (await exchange(ws, HEARTBEAT))[:2] == [3, "hb"]
        held = await eventually(
            lambda: (
                StationConnection.objects.exclude(channel_name=old_channel)
                .filter(station=station)
                .first()
            )
        )
        assert held is not None
        assert (await exchange(ws, HEARTBEAT))[:2] == [3, "hb"]  # not closed meanwhile


async def test_after_a_restart_the_station_takes_its_entry_over_without_a_security_event(
    server, transactional_db
):
    # The server was restarted moments ago: the old process's beats have not run out yet.
    station = StationFactory()
    old = left_behind(
        station, f"{socket.gethostname()}:{gone_pid()}:b4restart", beat_at=timezone.now()
    )
    await reconnects(server, station, old)
    assert not SecurityEvent.objects.filter(station=station).exists()


async def test_after_a_crash_the_station_takes_its_entry_over_without_a_security_event(
    server, transactional_db
):
    # A worker (of any host) that stopped beating (the test server beats every 2 s). The
    # server's own beat may expire the entry first: test_connections decides it without race.
    station = StationFactory()
    old = left_behind(station, "crashed-host:1:abc", beat_at=timezone.now() - timedelta(seconds=7))
    await reconnects(server, station, old)
    assert not SecurityEvent.objects.filter(station=station).exists()


async def test_a_connection_held_by_a_live_process_elsewhere_is_replaced(server, transactional_db):
    station = StationFactory()
    old = left_behind(station, "other-host:4242:abc", beat_at=timezone.now())
    await reconnects(server, station, old)
    events = SecurityEvent.objects.filter(station=station)
    assert [(e.type, e.raised_by_backoffice) for e in events] == [
        (security_events.CONNECTION_REPLACED, True)
    ]


class _FullPool:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, channel: str, message: dict) -> None:
        self.sent.append(channel)
        raise MaxConnectionsError("Too many connections")


async def test_a_failure_to_tell_the_old_connection_is_logged_not_fatal():
    consumer = OcppConsumer()
    consumer.identity = "CP-STORM"
    consumer.channel_layer = _FullPool()
    with capture_logs() as logs:
        await consumer._tell_replaced("specific.old!abc")
    assert consumer.channel_layer.sent == ["specific.old!abc"]
    assert [entry["event"] for entry in logs] == ["ocpp.replaced_notice_failed"]
    assert logs[0]["log_level"] == "warning"
