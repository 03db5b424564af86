"""Fixtures of the portal page tests: sessions of the cast's drivers at a station."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from backoffice.accounts.models import IdToken
from backoffice.portal.models import DriverSession, Notification
from stations.models import Connector, Evse, MeterValue, Transaction
from tests.factories.stations import SiteFactory, StationFactory


def make_session(station, token: IdToken, *, transaction_id: str, evse_id: int = 1, **fields):
    """A session charged with `token` (so its owner's), with the DriverSession the watcher
    makes for it."""
    evse, _ = Evse.objects.get_or_create(station=station, evse_id=evse_id)
    connector, _ = Connector.objects.get_or_create(
        evse=evse, connector_id=1, defaults={"status": "Charging"}
    )
    values = {
        "started_at": timezone.now() - timedelta(minutes=30),
        "meter_start_wh": D("1000"),
        "state": Transaction.State.ACTIVE,
        **fields,
    }
    tx = Transaction.objects.create(
        station=station,
        evse=evse,
        connector=connector,
        transaction_id=transaction_id,
        id_tag=token.id_token,
        id_token=token,
        **values,
    )
    DriverSession.objects.create(
        user=token.user,
        station=station,
        evse_id=evse_id,
        connector_id=1,
        id_tag=token.id_token,
        transaction=tx,
    )
    return tx


def meter(tx, *samples, minutes_ago: int = 1):
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return MeterValue.objects.create(
        station=tx.station,
        transaction=tx,
        evse_id=1,
        connector_id=1,
        timestamp=at,
        sampled_values=list(samples),
        dedup_key=f"{tx.pk}-{at.isoformat()}",
    )


def sample(value: str, measurand: str, unit: str | None = None) -> dict:
    found = {"value": value, "measurand": measurand}
    if unit:
        found["unit"] = unit
    return found


@pytest.fixture
def station(db):
    return StationFactory(identity="CP-PORTAL", name="Car park A", site=SiteFactory(name="Depot"))


@pytest.fixture
def driver_session(driver, station):
    """The driver's running session, 4.5 kWh and 7.2 kW in, battery at 63 %."""
    tx = make_session(station, driver.id_tokens.get(id_token="DRIVER-TAG"), transaction_id="501")
    meter(
        tx,
        sample("5500", "Energy.Active.Import.Register", "Wh"),
        sample("7200", "Power.Active.Import", "W"),
        sample("63", "SoC", "Percent"),
    )
    return tx


@pytest.fixture
def other_session(other_driver, station):
    """Another driver's running session at the same station (EVSE 2)."""
    token = other_driver.id_tokens.get(id_token="OTHER-DRIVER-TAG")
    return make_session(station, token, transaction_id="502", evse_id=2)


@pytest.fixture
def other_notification(other_driver):
    return Notification.objects.create(
        user=other_driver, kind=Notification.Kind.SESSION_STARTED, title="Other's news"
    )


def signed_in(client, user):
    client.force_login(user)
    return client
