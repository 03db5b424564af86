"""Limits as the driver sets them: their own active session only, values checked, audited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from backoffice.audit.models import AuditEvent
from backoffice.portal.models import DriverSession
from backoffice.portal.services import limits
from stations.models import MeterValue, Transaction
from tests.factories.stations import StationFactory


@pytest.fixture
def running(db, driver):
    station = StationFactory()
    tx = Transaction.objects.create(
        station=station,
        transaction_id="T-1",
        id_tag="DRIVER-TAG",
        started_at=timezone.now() - timedelta(minutes=20),
        meter_start_wh=D(1000),
        meter_stop_wh=D(4000),  # 2.x keeps its newest register here: 3 kWh so far
    )
    DriverSession.objects.create(
        user=driver, station=station, evse_id=1, id_tag="DRIVER-TAG", transaction=tx
    )
    return tx


@pytest.mark.parametrize(
    ("given", "message", "field"),
    [
        ({"energy_wh": 0}, limits.ENERGY_NOT_POSITIVE, "energy_wh"),
        ({"energy_wh": -5}, limits.ENERGY_NOT_POSITIVE, "energy_wh"),
        ({"energy_wh": 600_000}, limits.ENERGY_TOO_HIGH, "energy_wh"),
        ({"energy_wh": "many"}, "Enter a number.", "energy_wh"),
        ({"minutes": 0}, limits.MINUTES_NOT_POSITIVE, "minutes"),
        ({"minutes": 8 * 24 * 60}, limits.MINUTES_TOO_HIGH, "minutes"),
        ({"cost": D("-1")}, limits.COST_NOT_POSITIVE, "cost"),
    ],
)
def test_out_of_range_limits_are_refused(running, driver, given, message, field):
    with pytest.raises(limits.LimitInvalid) as refused:
        limits.set_limits(user=driver, transaction_pk=running.pk, **given)
    assert (refused.value.message, refused.value.field) == (message, field)


def test_a_limit_already_passed_is_refused(running, driver):
    with pytest.raises(limits.LimitInvalid) as energy:
        limits.set_limits(user=driver, transaction_pk=running.pk, energy_wh=2500)
    with pytest.raises(limits.LimitInvalid) as minutes:
        limits.set_limits(user=driver, transaction_pk=running.pk, minutes=15)
    assert energy.value.message == limits.ENERGY_ALREADY_REACHED % {"kwh": "3"}
    assert minutes.value.message == limits.MINUTES_ALREADY_REACHED % {"minutes": 20}


def test_a_16_sessions_energy_so_far_comes_from_its_newest_register(running, driver):
    Transaction.objects.filter(pk=running.pk).update(meter_stop_wh=None)
    MeterValue.objects.create(
        station=running.station,
        transaction=running,
        evse_id=1,
        timestamp=timezone.now(),
        sampled_values=[{"value": "7000", "measurand": "Energy.Active.Import.Register"}],
        dedup_key="k",
    )
    with pytest.raises(limits.LimitInvalid) as refused:
        limits.set_limits(user=driver, transaction_pk=running.pk, energy_wh=5000)
    assert refused.value.message == limits.ENERGY_ALREADY_REACHED % {"kwh": "6"}


def test_another_drivers_session_is_refused(running, other_driver):
    with pytest.raises(DriverSession.DoesNotExist):
        limits.set_limits(user=other_driver, transaction_pk=running.pk, energy_wh=10_000)
    assert DriverSession.objects.get(transaction=running).limit_energy_wh is None


def test_an_ended_session_takes_no_limits(running, driver):
    Transaction.objects.filter(pk=running.pk).update(state=Transaction.State.COMPLETED)
    with pytest.raises(limits.LimitInvalid) as refused:
        limits.set_limits(user=driver, transaction_pk=running.pk, minutes=60)
    assert refused.value.message == limits.NOT_ACTIVE


def test_limits_are_set_cleared_and_audited(running, driver):
    session = limits.set_limits(
        user=driver, transaction_pk=running.pk, energy_wh=10_000, minutes=90, cost=D("12.50")
    )
    assert (session.limit_energy_wh, session.limit_minutes, session.limit_cost) == (
        D(10_000),
        90,
        D("12.50"),
    )
    cleared = limits.set_limits(user=driver, transaction_pk=running.pk)
    assert not cleared.has_limit
    events = AuditEvent.objects.filter(action="portal.session.limits", actor=driver)
    assert [e.data["minutes"] for e in events.order_by("pk")] == [90, None]


def test_a_limit_sent_to_the_station_is_enforced_here_only_past_a_margin(running, driver):
    session = DriverSession.objects.get(transaction=running)
    session.limit_energy_wh = D(5000)
    done = limits.Progress(energy_wh=D(5050), elapsed=timedelta(minutes=1), cost=None)
    assert limits.reached(session, done) == DriverSession.LimitReason.ENERGY
    session.limit_sent = {"energy_wh": 5000}
    assert limits.reached(session, done) == ""
    assert limits.reached(session, limits.Progress(D(5100), None, None)) == "energy"
