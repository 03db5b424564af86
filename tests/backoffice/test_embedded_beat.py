"""backoffice.embedded_beat: the quick start's periodic tasks, run by `manage.py serve`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backoffice import embedded_beat
from reservations.models import Reservation
from tests.factories.reservations import ReservationFactory

CALLS: list[str] = []


def every_minute() -> None:
    CALLS.append("minute")


def nightly() -> None:
    CALLS.append("night")


def broken() -> None:
    CALLS.append("broken")
    raise RuntimeError("a task failing must not stop the others")


class Clock:
    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture(autouse=True)
def no_calls():
    CALLS.clear()


def beat(clock: Clock, **schedules: tuple[str, dict]) -> embedded_beat.EmbeddedBeat:
    return embedded_beat.EmbeddedBeat(schedules, now=clock)


def test_tasks_run_when_their_crontab_comes_round(db):
    clock = Clock(datetime(2026, 11, 24, 3, 15, 30, tzinfo=UTC))
    runner = beat(
        clock,
        minute=(f"{__name__}.every_minute", {"minute": "*"}),
        night=(f"{__name__}.nightly", {"minute": "17", "hour": "3"}),
    )
    assert runner.tick() == []  # just given: due from the next matching minute
    clock.at += timedelta(seconds=40)  # 03:16:10
    assert runner.tick() == ["minute"]
    assert runner.tick() == []  # once per minute
    clock.at += timedelta(minutes=1)  # 03:17:10
    assert sorted(runner.tick()) == ["minute", "night"]
    clock.at += timedelta(hours=1)
    assert runner.tick() == ["minute"]
    assert CALLS == ["minute", "minute", "night", "minute"]


def test_a_failing_task_is_logged_and_the_others_still_run(db):
    clock = Clock(datetime(2026, 11, 24, 12, 0, 30, tzinfo=UTC))
    runner = beat(
        clock,
        broken=(f"{__name__}.broken", {"minute": "*"}),
        minute=(f"{__name__}.every_minute", {"minute": "*"}),
    )
    clock.at += timedelta(minutes=1)
    assert runner.tick() == ["broken", "minute"]
    clock.at += timedelta(minutes=1)
    assert runner.tick() == ["broken", "minute"]  # tried again at its next time
    assert CALLS == ["broken", "minute", "broken", "minute"]


@pytest.mark.django_db(transaction=True)
def test_the_real_schedules_expire_an_overdue_reservation():
    # transaction=True: like the server's thread, the beat closes stale connections around each
    # task, which would close a test's wrapping transaction.
    overdue = ReservationFactory(expires_at=datetime.now(UTC) - timedelta(minutes=5))
    clock = Clock(datetime.now(UTC))
    runner = embedded_beat.EmbeddedBeat(now=clock)
    clock.at += timedelta(minutes=1, seconds=1)
    assert "Expire overdue reservations" in runner.tick()
    overdue.refresh_from_db()
    assert overdue.status == Reservation.Status.EXPIRED


def test_only_a_server_without_a_broker_runs_them(settings):
    settings.REDIS_URL = ""
    assert embedded_beat.needed()
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert not embedded_beat.needed()
