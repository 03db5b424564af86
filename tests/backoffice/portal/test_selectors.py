"""The driver's reads: scoped to the driver, with live values."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from backoffice.accounts.models import IdToken
from backoffice.portal import selectors
from backoffice.portal.models import DriverSession, Notification
from stations.models import Command, Station, Transaction
from tests.factories.stations import SiteFactory, StationFactory

from .api import data

pytestmark = pytest.mark.django_db


@pytest.fixture
def station():
    return StationFactory(identity="CP-PORTAL-1")


def card(user) -> IdToken:
    return IdToken.objects.get(user=user)


def test_session_for_gives_the_drivers_running_session_with_its_live_values(driver, station):
    tx = data.session(station, card(driver), meter_start_wh=D(1000))
    now = timezone.now()
    data.meter_value(
        tx,
        [
            {"value": "3500", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            {"value": "7.4", "measurand": "Power.Active.Import", "unit": "kW"},
        ],
        at=now - timedelta(seconds=20),
    )
    # The car reports its SoC in a frame of its own; the newest power comes after it.
    data.meter_value(tx, [{"value": "64", "measurand": "SoC", "unit": "Percent"}], at=now)

    view = selectors.session_for(driver, tx.pk, now=tx.started_at + timedelta(minutes=30))

    assert view.transaction == tx
    assert view.active
    assert view.energy_wh == D(2500)
    assert view.energy_kwh == D("2.5")
    assert view.duration == timedelta(minutes=30)
    assert view.soc_percent == D(64)
    assert view.power_w == D(7400)
    assert view.cost is None  # no tariffs yet: the seam answers None
    assert view.driver_session is None


def test_an_ended_session_shows_its_total_and_no_power(driver, station):
    tx = data.session(
        station,
        card(driver),
        state=Transaction.State.COMPLETED,
        meter_start_wh=D(1000),
        meter_stop_wh=D(13000),
    )
    data.meter_value(tx, [{"value": "11000", "measurand": "Power.Active.Import", "unit": "W"}])

    view = selectors.session_for(driver, tx.pk)

    assert view.energy_wh == D(12000)
    assert view.duration == timedelta(minutes=45)
    assert view.power_w is None
    assert view.soc_percent is None


def test_another_drivers_session_is_not_found(driver, other_driver, station):
    theirs = data.session(station, card(other_driver))
    with pytest.raises(Http404):
        selectors.session_for(driver, theirs.pk)
    with pytest.raises(Http404):
        selectors.own_transaction(driver, theirs.pk)


def test_a_session_started_from_the_portal_is_the_drivers_even_without_their_token(
    driver, other_driver, station
):
    # E.g. a 2.x session linked to the driver's start by its remoteStartId.
    tx = data.session(station, None)
    DriverSession.objects.create(user=driver, station=station, id_tag="X", transaction=tx)

    assert selectors.session_for(driver, tx.pk).driver_session.user == driver
    assert list(selectors.history(driver)) == [tx]
    assert list(selectors.history(other_driver)) == []


def test_history_is_newest_first_and_filters(driver, other_driver, station):
    other_station = StationFactory(identity="CP-PORTAL-2")
    now = timezone.now()
    old = data.session(
        station,
        card(driver),
        state=Transaction.State.COMPLETED,
        started_at=now - timedelta(days=3),
        meter_stop_wh=D(2000),
    )
    recent = data.session(
        other_station, card(driver), started_at=now - timedelta(hours=1), evse_id=2
    )
    data.session(station, card(other_driver), started_at=now - timedelta(minutes=5))

    assert list(selectors.history(driver)) == [recent, old]
    assert list(selectors.history(driver, state="completed")) == [old]
    assert list(selectors.history(driver, station="CP-PORTAL-2")) == [recent]
    assert list(selectors.history(driver, started_after=now - timedelta(days=1))) == [recent]
    assert list(selectors.history(driver, started_before=now - timedelta(days=1))) == [old]
    views = selectors.views_of(selectors.history(driver))
    assert [v.transaction for v in views] == [recent, old]
    assert views[1].energy_wh == D(1000)


def test_active_sessions_are_the_drivers_running_ones(driver, other_driver, station):
    running = data.session(station, card(driver))
    data.session(station, card(driver), state=Transaction.State.COMPLETED, evse_id=2)
    data.session(station, card(other_driver), evse_id=3)

    assert [v.transaction for v in selectors.active_sessions(driver)] == [running]


def test_pending_starts_are_accepted_starts_waiting_for_the_car(driver, other_driver, station):
    pending = data.accepted_start(driver, station)
    data.accepted_start(other_driver, station)
    linked = data.accepted_start(driver, station, evse_id=2)
    linked.transaction = data.session(station, card(driver), evse_id=2)
    linked.save()
    refused = data.accepted_start(driver, station, evse_id=3)
    Command.objects.filter(pk=refused.start_command_id).update(result_status="Rejected")
    DriverSession.objects.filter(pk=refused.pk).update(
        start_status=DriverSession.StartStatus.REFUSED
    )
    data.accepted_start(driver, station, evse_id=4, start_status=DriverSession.StartStatus.TIMEOUT)

    assert list(selectors.pending_starts(driver)) == [pending]
    later = timezone.now() + selectors.PENDING_START_WINDOW + timedelta(seconds=1)
    with time_machine.travel(later):
        assert list(selectors.pending_starts(driver)) == []


def test_tokens_and_notifications_are_the_drivers_own(driver, other_driver):
    mine = card(driver)
    theirs = card(other_driver)
    note = Notification.objects.create(user=driver, kind="session_started", title="Started")
    other_note = Notification.objects.create(
        user=other_driver, kind="session_started", title="Theirs"
    )

    assert list(selectors.tokens_for(driver)) == [mine]
    assert selectors.token_for(driver, mine.pk) == mine
    with pytest.raises(Http404):
        selectors.token_for(driver, theirs.pk)
    assert list(selectors.notifications_for(driver)) == [note]
    assert selectors.unread_count(driver) == 1
    with pytest.raises(Http404):
        selectors.notification_for(driver, other_note.pk)


def test_drivers_can_start_at_accepted_active_stations_only():
    open_site, empty_site = SiteFactory(name="Open"), SiteFactory(name="Empty")
    usable = StationFactory(identity="CP-OK", site=open_site)
    StationFactory(identity="CP-OFF", site=open_site, is_active=False)
    StationFactory(
        identity="CP-PENDING", site=empty_site, registration_status=Station.Registration.PENDING
    )
    data.connector(usable, 2)
    data.connector(usable, 1)

    assert list(selectors.startable_sites()) == [open_site]
    stations = list(selectors.startable_stations(open_site))
    assert stations == [usable]
    assert stations[0].online is False
    assert selectors.startable_station("CP-OK") == usable
    with pytest.raises(Http404):
        selectors.startable_station("CP-OFF")
    assert [c.evse.evse_id for c in selectors.startable_connectors(usable)] == [1, 2]
