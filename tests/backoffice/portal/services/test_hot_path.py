"""Sessions nobody watches pay nothing for the watcher on the hot paths: whether a session is
watched is read in the lookups the adapters make anyway (1.6: once per session and socket),
so a MeterValues frame or an Updated event costs no extra query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backoffice.portal.models import DriverSession
from stations.models import Transaction
from stations.services.charging import metering, transaction_events
from stations.services.charging.transaction_events import TransactionEventData
from stations.services.types import EvseRef, MeterReading, SampledValue
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(db):
    return StationFactory()


@pytest.fixture
def unwatched(station):
    return Transaction.objects.create(station=station, transaction_id="1", id_tag="CARD")


@pytest.fixture
def watched(station, driver):
    tx = Transaction.objects.create(station=station, transaction_id="2", id_tag="DRIVER-TAG")
    DriverSession.objects.create(user=driver, station=station, id_tag="DRIVER-TAG", transaction=tx)
    return tx


def _readings(wh: int, seconds: int = 0) -> tuple[MeterReading, ...]:
    sample = SampledValue(value=str(wh), measurand="Energy.Active.Import.Register", unit="Wh")
    return (MeterReading(timestamp=timezone.now() + timedelta(seconds=seconds), samples=(sample,)),)


def _prepare(station, tx):
    return metering.prepare(
        station_id=station.pk,
        readings=_readings(1500),
        evse=EvseRef(1, 1),
        transaction_id=tx.transaction_id,
    )


def test_the_16_lookup_tells_whether_a_session_is_watched_in_its_one_query(
    station, unwatched, watched, django_assert_num_queries
):
    with django_assert_num_queries(1):
        plain = _prepare(station, unwatched)
    with django_assert_num_queries(1):
        followed = _prepare(station, watched)
    assert plain.transaction.watched is False
    assert followed.transaction.watched is True


def test_an_unwatched_sessions_frame_costs_its_insert_and_nothing_more(
    station, unwatched, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # The adapter keeps the looked-up transaction; later frames are built without a query.
    cached = _prepare(station, unwatched).transaction
    frame = metering.prepare(
        station_id=station.pk, readings=_readings(1600), evse=EvseRef(1, 1), transaction=cached
    )
    with django_capture_on_commit_callbacks() as after_commit, django_assert_num_queries(1):
        metering.insert([frame])
    assert len(after_commit) == 1  # the live page event only: no watcher work queued


def test_a_watched_sessions_frame_queues_the_watcher_after_commit(
    station, watched, django_assert_num_queries, django_capture_on_commit_callbacks
):
    frame = _prepare(station, watched)
    with django_capture_on_commit_callbacks() as after_commit, django_assert_num_queries(1):
        metering.insert([frame])
    assert len(after_commit) == 2  # the live page event and the watcher's task


def _updated(tx: Transaction, seq_no: int) -> TransactionEventData:
    return TransactionEventData(
        event_type="Updated",
        transaction_id=tx.transaction_id,
        seq_no=seq_no,
        timestamp=timezone.now() + timedelta(seconds=seq_no),
        trigger_reason="MeterValuePeriodic",
        evse=EvseRef(1, 1),
        readings=_readings(2000 + seq_no, seq_no),
    )


def _queries_of_an_updated_event(station, tx, *, send_limits: bool) -> list[str]:
    seq_no = tx.events.count() + 1
    transaction_events.record_event(station_id=station.pk, event=_updated(tx, seq_no))  # warm up
    with CaptureQueriesContext(connection) as captured:
        transaction_events.record_event(
            station_id=station.pk, event=_updated(tx, seq_no + 1), send_limits=send_limits
        )
    return [query["sql"] for query in captured.captured_queries]


def test_an_unwatched_2x_updated_event_costs_no_extra_query(station, unwatched, watched):
    plain = _queries_of_an_updated_event(station, unwatched, send_limits=False)
    followed = _queries_of_an_updated_event(station, watched, send_limits=False)
    # The same statements either way (the watcher's work runs after commit, in a task)...
    assert len(plain) == len(followed)
    # ...and on 2.1 too, the driver side is read only as an EXISTS in the transaction's own
    # SELECT: only a watched session looks up the limits to send.
    plain_21 = _queries_of_an_updated_event(station, unwatched, send_limits=True)
    followed_21 = _queries_of_an_updated_event(station, watched, send_limits=True)
    assert len(plain_21) == len(plain)
    mentioning = [sql for sql in plain_21 if "portal_driversession" in sql]
    assert len(mentioning) == 1
    assert "FOR UPDATE" in mentioning[0]
    assert "EXISTS" in mentioning[0]
    assert len([sql for sql in followed_21 if "portal_driversession" in sql]) == 2
