from __future__ import annotations

import os
import socket
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from stations.models import SecurityEvent, Station, StationConnection, Worker
from stations.services.charging import connections
from tests.factories.stations import StationFactory


@pytest.fixture(autouse=True)
def _fresh_registry(monkeypatch):
    """Each test's rolled-back transaction takes this process's worker row with it."""
    monkeypatch.setattr(connections, "_worker_id", None)
    monkeypatch.setattr(connections, "_seen", {})


def test_a_station_is_online_while_its_worker_beats(db, settings):
    settings.OCPP_WORKER_HEARTBEAT_SECONDS = 10
    station = StationFactory()
    connections.register(station_id=station.pk, channel_name="chan-a", ocpp_version="1.6")
    assert connections.is_online(station_id=station.pk)
    assert connections.channel_for(station_id=station.pk) == "chan-a"
    later = timezone.now() + timedelta(seconds=31)
    assert not connections.is_online(station_id=station.pk, now=later)


def test_a_dead_workers_connections_are_expired_by_a_live_one(db, settings):
    settings.OCPP_WORKER_HEARTBEAT_SECONDS = 10
    station = StationFactory()
    long_ago = timezone.now() - timedelta(minutes=5)
    dead = Worker.objects.create(name="dead", started_at=long_ago, beat_at=long_ago)
    StationConnection.objects.create(
        station=station, worker=dead, channel_name="x", ocpp_version="1.6", connected_at=long_ago
    )
    connections.beat()
    assert not Worker.objects.filter(name="dead").exists()
    assert not StationConnection.objects.filter(station=station).exists()


def test_a_new_connection_replaces_the_old_and_raises_a_security_event(db):
    station = StationFactory()
    first = connections.register(station_id=station.pk, channel_name="a", ocpp_version="1.6")
    assert first == connections.Registration()
    second = connections.register(station_id=station.pk, channel_name="b", ocpp_version="1.6")
    assert second == connections.Registration(replaced_channel="a")
    assert SecurityEvent.objects.get(station=station).type == "ConnectionReplaced"
    # The old socket closing later must not remove the new entry.
    connections.unregister(station_id=station.pk, channel_name="a")
    assert StationConnection.objects.get(station=station).channel_name == "b"


def test_last_seen_is_flushed_in_one_batch(db, django_assert_max_num_queries):
    stations = [StationFactory() for _ in range(5)]
    for station in stations:
        connections.touch(station.pk)
    with django_assert_max_num_queries(2):
        connections.flush_last_seen()
    assert Station.objects.filter(last_seen_at__isnull=False).count() == 5
    # Nothing new since: the next flush writes nothing.
    with django_assert_max_num_queries(0):
        connections.flush_last_seen()


def test_an_older_connection_registering_late_does_not_replace_a_newer_one(db):
    station = StationFactory()
    opened_first = timezone.now()
    opened_second = opened_first + timedelta(milliseconds=5)
    # The newer socket's registration happens to run first (thread pool, other process).
    newer = connections.register(
        station_id=station.pk, channel_name="new", ocpp_version="2.0.1", opened_at=opened_second
    )
    older = connections.register(
        station_id=station.pk, channel_name="old", ocpp_version="2.1", opened_at=opened_first
    )
    assert newer == connections.Registration()
    assert older == connections.Registration(superseded=True)
    assert StationConnection.objects.get(station=station).channel_name == "new"
    station.refresh_from_db()
    assert station.ocpp_version == "2.0.1"
    assert not SecurityEvent.objects.filter(station=station).exists()


def test_a_sweep_drops_this_process_entries_whose_socket_is_gone(db):
    held, orphaned = StationFactory(), StationFactory()
    connections.register(station_id=held.pk, channel_name="open", ocpp_version="1.6")
    connections.register(station_id=orphaned.pk, channel_name="gone", ocpp_version="1.6")
    # Another process's entry is not ours to judge.
    now = timezone.now()
    other = Worker.objects.create(name="other", beat_at=now, started_at=now)
    elsewhere = StationFactory()
    StationConnection.objects.create(
        station=elsewhere, worker=other, channel_name="theirs", connected_at=timezone.now()
    )

    assert connections.sweep(open_channels={"open"}) == 1

    assert set(StationConnection.objects.values_list("channel_name", flat=True)) == {
        "open",
        "theirs",
    }
    assert connections.sweep(open_channels={"open"}) == 0


# --- after a restart or a crash: the old entry's process is gone, nothing is replaced ----------


def gone_pid() -> int:
    """The pid of a process of this host that has exited."""
    child = subprocess.Popen(["true"])  # noqa: S607 - coreutils
    child.wait()
    return child.pid


def held_by(station, worker_name: str, *, beat_at, channel: str = "old") -> StationConnection:
    worker = Worker.objects.create(name=worker_name, started_at=beat_at, beat_at=beat_at)
    return StationConnection.objects.create(
        station=station,
        worker=worker,
        channel_name=channel,
        ocpp_version="1.6",
        connected_at=beat_at,
    )


def assert_taken_over_silently(station, registration) -> None:
    assert registration == connections.Registration()
    assert not SecurityEvent.objects.filter(station=station).exists()
    assert StationConnection.objects.get(station=station).channel_name == "new"


def test_an_entry_of_a_worker_that_stopped_beating_is_taken_over_silently(db, settings):
    settings.OCPP_WORKER_HEARTBEAT_SECONDS = 10
    station = StationFactory()
    connections.beat()  # this process's beat ran before the other stopped beating
    held_by(station, "crashed:1:abc", beat_at=timezone.now() - timedelta(seconds=31))
    registration = connections.register(
        station_id=station.pk, channel_name="new", ocpp_version="1.6"
    )
    assert_taken_over_silently(station, registration)


def test_an_entry_of_a_restarted_process_of_this_host_is_taken_over_silently(db):
    # Its beats have not run out yet (a restart takes seconds), but its process is gone.
    station = StationFactory()
    held_by(station, f"{socket.gethostname()}:{gone_pid()}:abc", beat_at=timezone.now())
    registration = connections.register(
        station_id=station.pk, channel_name="new", ocpp_version="1.6"
    )
    assert_taken_over_silently(station, registration)


def test_an_entry_of_a_predecessor_with_our_pid_is_taken_over_silently(db):
    # A container restarted: same host name, same pid, another process.
    station = StationFactory()
    held_by(station, f"{socket.gethostname()}:{os.getpid()}:earlier", beat_at=timezone.now())
    registration = connections.register(
        station_id=station.pk, channel_name="new", ocpp_version="1.6"
    )
    assert_taken_over_silently(station, registration)


def test_an_entry_of_our_own_socket_already_closed_is_taken_over_silently(db):
    station = StationFactory()
    connections.register(station_id=station.pk, channel_name="old", ocpp_version="1.6")
    registration = connections.register(
        station_id=station.pk, channel_name="new", ocpp_version="1.6", open_channels={"new"}
    )
    assert_taken_over_silently(station, registration)


def test_an_entry_of_our_own_socket_still_open_is_replaced(db):
    station = StationFactory()
    connections.register(station_id=station.pk, channel_name="old", ocpp_version="1.6")
    registration = connections.register(
        station_id=station.pk, channel_name="new", ocpp_version="1.6", open_channels={"old", "new"}
    )
    assert registration == connections.Registration(replaced_channel="old")
    assert SecurityEvent.objects.get(station=station).type == "ConnectionReplaced"


def test_an_entry_of_a_live_process_elsewhere_is_replaced(db):
    station = StationFactory()
    held_by(station, "other-host:4242:abc", beat_at=timezone.now())
    registration = connections.register(
        station_id=station.pk, channel_name="new", ocpp_version="1.6"
    )
    assert registration == connections.Registration(replaced_channel="old")
    assert SecurityEvent.objects.get(station=station).type == "ConnectionReplaced"


def test_a_newer_entry_of_a_gone_process_does_not_supersede(db):
    # Clocks of two hosts may disagree: a dead entry never wins over a live socket.
    station = StationFactory()
    connections.beat()
    held_by(station, "crashed:1:abc", beat_at=timezone.now() - timedelta(minutes=5))
    StationConnection.objects.filter(station=station).update(
        connected_at=timezone.now() + timedelta(minutes=1)
    )
    registration = connections.register(
        station_id=station.pk, channel_name="new", ocpp_version="1.6"
    )
    assert_taken_over_silently(station, registration)


def test_a_beat_expires_the_entries_of_gone_processes_of_this_host(db):
    now = timezone.now()
    gone, elsewhere = StationFactory(), StationFactory()
    held_by(gone, f"{socket.gethostname()}:{gone_pid()}:abc", beat_at=now)
    held_by(elsewhere, "other-host:4242:abc", beat_at=now)
    connections.beat()
    assert not StationConnection.objects.filter(station=gone).exists()
    assert StationConnection.objects.filter(station=elsewhere).exists()
