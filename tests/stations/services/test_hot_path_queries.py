"""The ratchet on the charging hot path: SQL statements per charger message, by kind.

Each test runs one service call the way the OCPP adapters make it, in autocommit as the
server does, and asserts a ceiling on the statements it sends: every one is a round trip to
PostgreSQL, BEGIN, COMMIT and savepoints included. The ceilings are the counts measured when
they were last lowered: a change that adds a round trip to one of these messages fails here
and lists the statements. Lower a ceiling when you cut one.

Domain events are recorded, not delivered: their subscribers run after commit and query
nothing on the hot events (tests/backoffice/portal/services/test_hot_path.py), and Celery is
eager in the tests, which would count a task's queries as the charger's.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stations import events
from stations.models import Station, Transaction
from stations.services.charging import (
    authorization,
    boot,
    connections,
    metering,
    status,
    transaction_events,
    transactions,
)
from stations.services.charging.transaction_events import TransactionEventData
from stations.services.security import station_auth
from stations.services.types import BootInfo, EvseRef, MeterReading, SampledValue, StatusReport
from tests.factories.accounts import IdTokenFactory, UserFactory
from tests.factories.stations import STATION_PASSWORD, StationFactory

pytestmark = pytest.mark.django_db(transaction=True)

BOOT = BootInfo(vendor="Bench", model="Bench-1", serial_number="S-1", firmware_version="1.0")


@pytest.fixture(autouse=True)
def announced(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The events the services announce, kept here instead of delivered (module docstring)."""
    kept: list[object] = []
    monkeypatch.setattr(events, "announce", kept.append)
    return kept


@pytest.fixture(autouse=True)
def _registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process is a beating worker, as a server is once its first socket registered."""
    monkeypatch.setattr(connections, "_worker_id", None)
    monkeypatch.setattr(connections, "_seen", {})
    connections.beat()
    yield


@pytest.fixture
def station() -> Station:
    return StationFactory(ocpp_version="1.6")


@pytest.fixture
def token() -> str:
    """A driver's card: the common case at a public site."""
    return IdTokenFactory(id_token="CARD-1", user=UserFactory(username="driver")).id_token


def assert_queries(ceiling: int, call: Callable[[], Any]) -> Any:
    """Run `call`; fail, listing its statements, when it sends more than `ceiling`."""
    with CaptureQueriesContext(connection) as captured:
        result = call()
    statements = [query["sql"] for query in captured.captured_queries]
    listing = "\n".join(f"  {n}. {sql}" for n, sql in enumerate(statements, 1))
    assert len(statements) <= ceiling, (
        f"{len(statements)} statements (ceiling {ceiling}):\n{listing}"
    )
    return result


def _energy(wh: int, at: datetime) -> MeterReading:
    return MeterReading(
        timestamp=at,
        samples=(
            SampledValue(value=str(wh), measurand="Energy.Active.Import.Register", unit="Wh"),
            SampledValue(value="7200", measurand="Power.Active.Import", unit="W"),
            SampledValue(value="230.1", measurand="Voltage", phase="L1-N", unit="V"),
        ),
    )


# --- connecting and booting ------------------------------------------------------------------


def test_connect_time_authentication(station):
    header = "Basic " + base64.b64encode(f"{station.identity}:{STATION_PASSWORD}".encode()).decode()
    admission = assert_queries(
        1,
        lambda: station_auth.authenticate(
            identity=station.identity, authorization=header, secure=False
        ),
    )
    assert admission.station_id == station.pk


def test_registering_a_first_connection(station):
    assert_queries(
        4,
        lambda: connections.register(
            station_id=station.pk, channel_name="chan-1", ocpp_version="1.6"
        ),
    )


def test_registering_a_reconnection(station):
    connections.register(station_id=station.pk, channel_name="chan-1", ocpp_version="1.6")
    connections.unregister(station_id=station.pk, channel_name="chan-1")
    connections.register(station_id=station.pk, channel_name="chan-2", ocpp_version="1.6")
    # The server restarted: the row of the old socket is ours but its socket is gone.
    assert_queries(
        4,
        lambda: connections.register(
            station_id=station.pk, channel_name="chan-3", ocpp_version="1.6", open_channels=set()
        ),
    )


def _boot(station: Station, info: BootInfo = BOOT) -> Any:
    return boot.register(station_id=station.pk, ocpp_version="1.6", info=info, now=timezone.now())


def test_a_first_boot(station):
    result = assert_queries(1, lambda: _boot(station))
    assert result.status == Station.Registration.ACCEPTED


def test_a_boot_that_changes_nothing(station):
    _boot(station)
    assert_queries(1, lambda: _boot(station))


# --- status ----------------------------------------------------------------------------------


def _status(station: Station, evse: EvseRef | None, state: str = "Available") -> bool:
    report = StatusReport(evse=evse, status=state, timestamp=timezone.now())
    return status.report(station_id=station.pk, report=report)


def test_a_16_status_of_a_known_connector(station):
    _status(station, EvseRef(1, 1))
    assert assert_queries(1, lambda: _status(station, EvseRef(1, 1), "Preparing"))


def test_a_2x_status_of_a_known_connector(station):
    _status(station, EvseRef(2, 1))
    assert assert_queries(1, lambda: _status(station, EvseRef(2, 1), "Occupied"))


def test_a_status_of_a_new_connector(station):
    assert assert_queries(7, lambda: _status(station, EvseRef(1, 1)))


def test_a_status_of_the_station_itself(station):
    assert assert_queries(1, lambda: _status(station, None))


# --- authorization ---------------------------------------------------------------------------


def test_authorizing_a_known_token(station, token):
    info = assert_queries(1, lambda: authorization.authorize(id_tag=token, station_id=station.pk))
    assert info.status == authorization.ACCEPTED


def test_authorizing_an_unknown_token(station):
    info = assert_queries(
        1, lambda: authorization.authorize(id_tag="NOBODY", station_id=station.pk)
    )
    assert info.status == authorization.INVALID


def test_heartbeat_only_touches_memory(station):
    assert_queries(0, lambda: connections.touch(station.pk))


# --- 1.6 transactions and meter values -------------------------------------------------------


def _start_v16(station: Station, token: str) -> Any:
    _status(station, EvseRef(1, 1))
    return transactions.start_v16(
        station_id=station.pk,
        evse=EvseRef(1, 1),
        id_tag=token,
        meter_start_wh=Decimal(1000),
        started_at=timezone.now(),
    )


def test_a_16_start(station, token):
    _status(station, EvseRef(1, 1))
    result = assert_queries(
        5,
        lambda: transactions.start_v16(
            station_id=station.pk,
            evse=EvseRef(1, 1),
            id_tag=token,
            meter_start_wh=Decimal(1000),
            started_at=timezone.now(),
        ),
    )
    assert result.id_token_info.status == authorization.ACCEPTED


def test_a_16_stop(station, token):
    started = _start_v16(station, token)
    assert_queries(
        5,
        lambda: transactions.stop(
            station_id=station.pk,
            transaction_id=started.transaction_id,
            meter_stop_wh=Decimal(5000),
            stopped_at=timezone.now(),
            id_tag=token,
        ),
    )


def test_a_16_meter_values_frame(station, token):
    started = _start_v16(station, token)
    now = timezone.now()
    # The first frame of a session on a socket looks its transaction up; the adapter keeps it.
    prepared = assert_queries(
        1,
        lambda: metering.prepare(
            station_id=station.pk,
            readings=(_energy(1500, now),),
            evse=EvseRef(1, 1),
            transaction_id=started.transaction_id,
        ),
    )
    assert prepared.transaction is not None
    assert_queries(1, lambda: metering.insert([prepared]))
    cached = metering.prepare(
        station_id=station.pk,
        readings=(_energy(1600, now + timedelta(seconds=10)),),
        evse=EvseRef(1, 1),
        transaction=prepared.transaction,
    )
    assert_queries(1, lambda: metering.insert([cached]))


# --- 2.x TransactionEvent --------------------------------------------------------------------


def _event(
    event_type: str, seq_no: int, *, at: datetime, token: str | None = None, **kw: Any
) -> TransactionEventData:
    return TransactionEventData(
        event_type=event_type,
        transaction_id="TX-1",
        seq_no=seq_no,
        timestamp=at,
        trigger_reason=kw.pop("trigger_reason", "MeterValuePeriodic"),
        evse=EvseRef(1, 1),
        id_token=token,
        id_token_type="ISO14443" if token else None,
        payload={"transaction_info": {"transaction_id": "TX-1"}},
        **kw,
    )


def _record(station: Station, event: TransactionEventData) -> Any:
    return transaction_events.record_event(station_id=station.pk, event=event)


@pytest.fixture
def started(station, token) -> datetime:
    """A 2.x session started with a token; returns its start time."""
    at = timezone.now()
    _status(station, EvseRef(1, 1))
    _record(
        station,
        _event(
            "Started",
            0,
            at=at,
            token=token,
            trigger_reason="Authorized",
            charging_state="Charging",
            readings=(_energy(1000, at),),
        ),
    )
    return at


def test_a_2x_started_event(station, token):
    at = timezone.now()
    _status(station, EvseRef(1, 1))
    event = _event(
        "Started",
        0,
        at=at,
        token=token,
        trigger_reason="Authorized",
        charging_state="Charging",
        readings=(_energy(1000, at),),
    )
    outcome = assert_queries(8, lambda: _record(station, event))
    assert outcome.id_token_info.status == authorization.ACCEPTED


def test_a_2x_updated_event_with_meter_values(station, started):
    at = started + timedelta(seconds=10)
    event = _event("Updated", 1, at=at, charging_state="Charging", readings=(_energy(1500, at),))
    assert_queries(6, lambda: _record(station, event))
    tx = Transaction.objects.get(station=station, transaction_id="TX-1")
    assert tx.meter_stop_wh == Decimal(1500)


def test_a_2x_updated_event_without_meter_values(station, started):
    event = _event(
        "Updated",
        1,
        at=started + timedelta(seconds=10),
        trigger_reason="ChargingStateChanged",
        charging_state="SuspendedEV",
    )
    assert_queries(5, lambda: _record(station, event))
    tx = Transaction.objects.get(station=station, transaction_id="TX-1")
    assert tx.charging_state == "SuspendedEV"


def test_a_2x_ended_event(station, started, token):
    at = started + timedelta(seconds=20)
    event = _event(
        "Ended",
        2,
        at=at,
        token=token,
        trigger_reason="StopAuthorized",
        charging_state="Idle",
        stopped_reason="Local",
        readings=(_energy(4000, at),),
    )
    outcome = assert_queries(7, lambda: _record(station, event))
    assert outcome.id_token_info.status == authorization.ACCEPTED
    tx = Transaction.objects.get(station=station, transaction_id="TX-1")
    assert tx.state == Transaction.State.COMPLETED


def test_a_replayed_2x_event_changes_nothing(station, started):
    at = started + timedelta(seconds=10)
    event = _event("Updated", 1, at=at, charging_state="Charging", readings=(_energy(1500, at),))
    _record(station, event)
    assert_queries(4, lambda: _record(station, event))
