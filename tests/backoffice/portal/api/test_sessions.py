"""The driver's sessions through the API: history, one session live, limits, stop."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from backoffice.accounts.models import IdToken
from backoffice.portal.models import DriverSession
from backoffice.portal.services import charging, limits
from stations.models import Command, Transaction
from tests.factories.stations import StationFactory

from . import data

pytestmark = pytest.mark.django_db


@pytest.fixture
def station():
    return StationFactory(identity="CP-API-1", name="Car park")


@pytest.fixture
def running(driver, station):
    token = IdToken.objects.get(user=driver)
    tx = data.session(station, token, meter_start_wh=D(1000))
    DriverSession.objects.create(
        user=driver, station=station, evse_id=1, id_tag=token.id_token, transaction=tx
    )
    data.meter_value(
        tx,
        [
            {"value": "4000", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            {"value": "11000", "measurand": "Power.Active.Import", "unit": "W"},
            {"value": "55", "measurand": "SoC", "unit": "Percent"},
        ],
    )
    return tx


def test_the_session_list_is_the_drivers_newest_first_with_filters(
    api, driver, other_driver, station, running
):
    ended = data.session(
        station,
        IdToken.objects.get(user=driver),
        state=Transaction.State.COMPLETED,
        evse_id=2,
        started_at=timezone.now() - timedelta(days=2),
        meter_stop_wh=D(9000),
    )
    data.session(station, IdToken.objects.get(user=other_driver), evse_id=3)

    body = api(driver).get("/api/v1/me/sessions/").json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [running.pk, ended.pk]
    assert body["results"][1]["energy_wh"] == "8000.000"
    assert body["results"][1]["duration_seconds"] == 45 * 60
    assert body["results"][1]["limits"] is None

    completed = api(driver).get("/api/v1/me/sessions/", {"state": "completed"}).json()
    assert [row["id"] for row in completed["results"]] == [ended.pk]
    bad = api(driver).get(
        "/api/v1/me/sessions/",
        {"started_after": "2026-01-02T00:00:00Z", "started_before": "2026-01-01T00:00:00Z"},
    )
    assert bad.status_code == 400
    assert "started_after" in bad.json()


def test_a_running_session_is_live(api, driver, running):
    body = api(driver).get(f"/api/v1/me/sessions/{running.pk}/").json()
    assert body["id"] == running.pk
    assert (body["station"], body["station_name"], body["evse_id"]) == ("CP-API-1", "Car park", 1)
    assert body["state"] == "active"
    assert body["energy_wh"] == "3000.000"
    assert body["power_w"] == "11000.0"
    assert body["soc_percent"] == "55.0"
    assert body["cost"] is None
    assert 29 * 60 <= body["duration_seconds"] <= 31 * 60
    assert body["limits"]["energy_wh"] is None


def test_limits_are_set_through_the_limits_service(api, driver, running):
    response = api(driver).post(
        f"/api/v1/me/sessions/{running.pk}/limits/", {"energy_wh": "20000", "minutes": 90}
    )
    assert response.status_code == 200, response.content
    assert response.json()["energy_wh"] == "20000.0"
    assert response.json()["minutes"] == 90
    session = DriverSession.objects.get(transaction=running)
    assert (session.limit_energy_wh, session.limit_minutes) == (D(20000), 90)

    too_low = api(driver).post(f"/api/v1/me/sessions/{running.pk}/limits/", {"energy_wh": "0"})
    assert too_low.status_code == 400
    assert too_low.json() == {"energy_wh": [str(limits.ENERGY_NOT_POSITIVE)]}


def test_an_ended_session_takes_no_limits_and_no_stop(api, driver, running):
    Transaction.objects.filter(pk=running.pk).update(state=Transaction.State.COMPLETED)
    limited = api(driver).post(f"/api/v1/me/sessions/{running.pk}/limits/", {"minutes": 10})
    assert limited.status_code == 409
    assert limited.json()["reason"] == "refused"
    stopped = api(driver).post(f"/api/v1/me/sessions/{running.pk}/stop/")
    assert stopped.status_code == 409
    assert stopped.json() == {"detail": str(charging.NOT_ACTIVE), "reason": "ended"}
    assert not Command.objects.exists()


def test_stopping_at_an_offline_station_says_so(api, driver, running):
    response = api(driver).post(f"/api/v1/me/sessions/{running.pk}/stop/")
    assert response.status_code == 409
    assert response.json() == {"detail": str(charging.STOP_OFFLINE), "reason": "offline"}
    command = Command.objects.get()
    assert (command.action, command.state, command.actor) == (
        "RemoteStopTransaction",
        Command.State.OFFLINE,
        driver,
    )
    assert DriverSession.objects.get(transaction=running).stop_command == command


def test_the_pending_starts_are_listed(api, driver, other_driver, station):
    start = data.accepted_start(driver, station, limit_minutes=30)
    data.accepted_start(other_driver, station)
    body = api(driver).get("/api/v1/me/starts/").json()
    assert [row["id"] for row in body] == [start.pk]
    assert body[0]["station"] == "CP-API-1"
    assert body[0]["limits"]["minutes"] == 30
    assert body[0]["start_status"] == "accepted"


def test_a_start_with_a_bad_limit_is_400_with_the_field(api, driver, station):
    data.online(station)
    data.connector(station)
    response = api(driver).post(
        "/api/v1/me/start/", {"station": station.identity, "evse_id": 1, "limit_minutes": 0}
    )
    assert response.status_code == 400
    assert response.json() == {"limit_minutes": [str(limits.MINUTES_NOT_POSITIVE)]}
    assert not DriverSession.objects.exists()
