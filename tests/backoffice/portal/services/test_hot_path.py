"""Sessions nobody watches pay nothing for the watcher on the hot paths: whose session it is
(its token's owner) is read in the lookups the adapters make anyway (1.6: once per session
and socket) and carried by the core's events, so a MeterValues frame or an Updated event of
another session costs the portal no query."""

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
    token = driver.id_tokens.get(id_token="DRIVER-TAG")
    tx = Transaction.objects.create(
        station=station, transaction_id="2", id_tag="DRIVER-TAG", id_token=token
    )
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


def test_the_16_lookup_tells_whose_session_it_is_in_its_one_query(
    station, unwatched, watched, driver, django_assert_num_queries
):
    with django_assert_num_queries(1):
        plain = _prepare(station, unwatched)
    with django_assert_num_queries(1):
        followed = _prepare(station, watched)
    assert plain.transaction.driver_id is None
    assert followed.transaction.driver_id == driver.pk


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
    assert len(after_commit) == 1  # the MeterValuesStored event
    with django_assert_num_queries(0):  # its subscribers (live pages, portal) query nothing
        after_commit[0]()


def test_a_watched_sessions_frame_reaches_the_watcher_after_commit(
    station, watched, django_assert_num_queries, django_capture_on_commit_callbacks
):
    frame = _prepare(station, watched)
    with django_capture_on_commit_callbacks() as after_commit, django_assert_num_queries(1):
        metering.insert([frame])
    assert len(after_commit) == 1
    with CaptureQueriesContext(connection) as delivered:
        after_commit[0]()  # the portal's task, eager here, reads the driver's session
    assert any("portal_driversession" in query["sql"] for query in delivered.captured_queries)


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


def _queries_of_an_updated_event(station, tx, *, ask_terms: bool) -> list[str]:
    seq_no = tx.events.count() + 1
    transaction_events.record_event(station_id=station.pk, event=_updated(tx, seq_no))  # warm up
    with CaptureQueriesContext(connection) as captured:
        transaction_events.record_event(
            station_id=station.pk, event=_updated(tx, seq_no + 1), ask_terms=ask_terms
        )
    return [query["sql"] for query in captured.captured_queries]


def test_an_unwatched_2x_updated_event_costs_no_extra_query(station, unwatched, watched):
    plain = _queries_of_an_updated_event(station, unwatched, ask_terms=False)
    followed = _queries_of_an_updated_event(station, watched, ask_terms=False)
    # The same statements either way (the watcher's work runs after commit, in a task)...
    assert len(plain) == len(followed)
    assert not [sql for sql in plain if "portal_driversession" in sql]
    # ...and when the answer carries the session's terms (2.1), only a driver's session makes
    # the portal look up the limits to send: the token's owner is read in the transaction's
    # own SELECT.
    plain_21 = _queries_of_an_updated_event(station, unwatched, ask_terms=True)
    followed_21 = _queries_of_an_updated_event(station, watched, ask_terms=True)
    assert len(plain_21) == len(plain)
    assert not [sql for sql in plain_21 if "portal_driversession" in sql]
    assert [sql for sql in followed_21 if "portal_driversession" in sql]
