"""/api/v1/me/reservations/: the driver's reservations (made for their id tokens), one of them,
and cancelling it at a real charger; another driver's is not found, anonymous is 401."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from django.utils import timezone
from ocpp.routing import on
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call_result as result201
from rest_framework.test import APIClient

from backoffice.audit.models import AuditEvent
from backoffice.portal.api.reservations import CANCEL_OFFLINE, ENDED
from reservations.models import Reservation
from stations.models import Command
from tests.factories.accounts import IdTokenFactory, UserFactory
from tests.factories.reservations import ReservationFactory
from tests.factories.stations import SiteFactory, StationFactory
from tests.ocpp_client import booted

from . import data

pytestmark = pytest.mark.django_db

LIST = "/api/v1/me/reservations/"


def one(pk: int) -> str:
    return f"/api/v1/me/reservations/{pk}/"


def cancel(pk: int) -> str:
    return f"/api/v1/me/reservations/{pk}/cancel/"


@pytest.fixture
def station(db):
    return StationFactory(identity="CP-RES", name="Harbour", site=SiteFactory(name="Port"))


@pytest.fixture
def mine(driver, station):
    token = driver.id_tokens.get()
    return ReservationFactory(station=station, id_token=token, id_tag=token.id_token)


@pytest.fixture
def theirs(other_driver, station):
    token = other_driver.id_tokens.get()
    return ReservationFactory(station=station, evse_id=2, id_token=token, id_tag=token.id_token)


def test_the_list_is_the_drivers_reservations_newest_first(api, driver, mine, theirs, station):
    older = ReservationFactory(
        station=station,
        evse_id=None,
        id_token=mine.id_token,
        id_tag="DRIVER-TAG",
        status=Reservation.Status.EXPIRED,
        expires_at=timezone.now() - timedelta(hours=3),
    )
    Reservation.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=1))
    body = api(driver).get(LIST).json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [mine.pk, older.pk]
    row = body["results"][0]
    assert row == {
        "id": mine.pk,
        "station": "CP-RES",
        "station_name": "Harbour",
        "site": "Port",
        "evse_id": 1,
        "connector_type": "",
        "id_token": "DRIVER-TAG",
        "status": "accepted",
        "active": True,
        "expires_at": row["expires_at"],
        "created_at": row["created_at"],
        "ended_at": None,
        "session": None,
    }
    assert body["results"][1]["evse_id"] is None  # any EVSE


@pytest.mark.parametrize(("active", "expected"), [("true", ["accepted"]), ("false", ["expired"])])
def test_the_list_filters_by_active(api, driver, mine, station, active, expected):
    ReservationFactory(station=station, id_token=mine.id_token, status=Reservation.Status.EXPIRED)
    body = api(driver).get(LIST, {"active": active}).json()
    assert [row["status"] for row in body["results"]] == expected


def test_one_reservation_names_the_session_it_was_used_for(api, driver, mine, station):
    tx = data.session(station, mine.id_token)
    Reservation.objects.filter(pk=mine.pk).update(status=Reservation.Status.USED, transaction=tx)
    body = api(driver).get(one(mine.pk)).json()
    assert (body["status"], body["active"], body["session"]) == ("used", False, tx.pk)


def test_cancelling_an_ended_reservation_is_a_conflict(api, driver, mine):
    Reservation.objects.filter(pk=mine.pk).update(status=Reservation.Status.CANCELLED)
    response = api(driver).post(cancel(mine.pk))
    assert response.status_code == 409
    assert response.json() == {"detail": ENDED, "reason": "ended"}
    assert not Command.objects.exists()


def test_cancelling_at_an_offline_station_is_a_conflict(api, driver, mine):
    response = api(driver).post(cancel(mine.pk))
    assert response.status_code == 409
    assert response.json() == {"detail": CANCEL_OFFLINE, "reason": "offline"}
    mine.refresh_from_db()
    assert mine.status == Reservation.Status.ACCEPTED


class Charger201(Client201):
    @on("CancelReservation")
    async def on_cancel(self, reservation_id):
        return result201.CancelReservation(status="Accepted")


@pytest.mark.asyncio
async def test_cancelling_at_a_connected_station_cancels_it(server):
    user = UserFactory(username="api-reserving-driver")
    token = IdTokenFactory(id_token="API-RES-TAG", user=user)
    station = StationFactory(identity="CP-API-RES", ocpp_version="2.0.1")
    reservation = ReservationFactory(station=station, id_token=token, id_tag=token.id_token)
    client = APIClient()
    client.force_authenticate(user)
    async with booted(server, station.identity, subprotocol="ocpp2.0.1", client_class=Charger201):
        response = await asyncio.to_thread(client.post, cancel(reservation.pk))
    assert response.status_code == 200
    body = response.json()
    command = Command.objects.get(station=station, action="CancelReservation")
    assert (body["accepted"], body["status"], body["command"]) == (True, "Accepted", command.pk)
    assert (body["reservation"]["status"], body["reservation"]["active"]) == ("cancelled", False)
    assert command.payload == {"reservationId": reservation.reservation_id}
    assert (command.actor, command.actor_label) == (user, "portal")
    assert AuditEvent.objects.filter(action="reservations.cancel", actor=user).exists()


# --- isolation -------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [("get", one), ("post", cancel)])
def test_another_drivers_reservation_is_not_found(api, driver, theirs, method, path):
    response = getattr(api(driver), method)(path(theirs.pk))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Reservation.Status.ACCEPTED
    assert not Command.objects.exists()


def test_another_drivers_reservations_are_not_listed(api, driver, theirs):
    assert api(driver).get(LIST).json()["results"] == []


@pytest.mark.parametrize(("method", "path"), [("get", one), ("post", cancel)])
def test_staff_get_no_drivers_reservation_here(api, operator, mine, method, path):
    assert getattr(api(operator), method)(path(mine.pk)).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"), [("get", lambda pk: LIST), ("get", one), ("post", cancel)]
)
def test_anonymous_callers_are_refused(api, mine, method, path):
    assert getattr(api(), method)(path(mine.pk)).status_code == 401
    mine.refresh_from_db()
    assert mine.status == Reservation.Status.ACCEPTED
