"""The driver's reservations: the list and one reservation (their own only: another driver's
is not found, on every page), and cancelling an active one at a real charger."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result as result16

from backoffice.audit.models import AuditEvent
from backoffice.portal.views.display import STATION_OFFLINE
from backoffice.portal.views.reservations import ALREADY_ENDED
from reservations.models import Reservation
from stations.models import Command
from tests.factories.accounts import IdTokenFactory, UserFactory
from tests.factories.reservations import ReservationFactory
from tests.factories.stations import StationFactory
from tests.ocpp_client import booted

from .conftest import make_session, signed_in

pytestmark = pytest.mark.django_db

RESERVATION_VIEWS = [
    ("get", "portal:reservation"),
    ("post", "portal:reservation_cancel"),
]


@pytest.fixture
def reservation(driver, station):
    """An accepted reservation of EVSE 1 for the driver's card, expiring in an hour."""
    return ReservationFactory(station=station, id_token=driver.id_tokens.get(), id_tag="DRIVER-TAG")


@pytest.fixture
def other_reservation(other_driver, station):
    token = other_driver.id_tokens.get()
    return ReservationFactory(station=station, evse_id=2, id_token=token, id_tag=token.id_token)


def test_the_list_shows_the_drivers_reservations_only(
    client, driver, reservation, other_reservation, station
):
    ended = ReservationFactory(
        station=station,
        evse_id=None,
        id_token=reservation.id_token,
        status=Reservation.Status.EXPIRED,
        expires_at=timezone.now() - timedelta(hours=2),
    )
    response = signed_in(client, driver).get(reverse("portal:reservations"))
    body = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["page_obj"].object_list) == [ended, reservation]
    assert f'id="reservation-{other_reservation.pk}"' not in body
    row = body[body.index(f'id="reservation-{reservation.pk}"') :]
    assert reverse("portal:reservation", args=[reservation.pk]) in row
    assert "Car park A" in row and "Depot" in row
    expiry = timezone.localtime(reservation.expires_at).strftime("%Y-%m-%d %H:%M")
    assert f"<td>{expiry}</td>" in row
    assert 'data-testid="reservation-status">accepted<' in row
    # No EVSE named: any EVSE of the station.
    ended_row = body[body.index(f'id="reservation-{ended.pk}"') :]
    assert "<td>any" in ended_row and ">expired<" in ended_row


def test_the_menu_links_the_reservations(client, driver):
    body = signed_in(client, driver).get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:reservations")}"' in body


def test_an_empty_list_says_so(client, driver, other_reservation):
    body = signed_in(client, driver).get(reverse("portal:reservations")).content.decode()
    assert "No reservations yet." in body


def test_an_active_reservation_offers_cancelling(client, driver, reservation):
    url = reverse("portal:reservation", args=[reservation.pk])
    body = signed_in(client, driver).get(url).content.decode()
    assert 'data-testid="reservation-status">accepted<' in body
    assert reverse("portal:reservation_cancel", args=[reservation.pk]) in body
    assert 'data-testid="cancel-reservation"' in body


def test_a_used_reservation_links_its_session_and_offers_no_cancel(
    client, driver, reservation, station
):
    tx = make_session(station, reservation.id_token, transaction_id="R1")
    Reservation.objects.filter(pk=reservation.pk).update(
        status=Reservation.Status.USED, transaction=tx, ended_at=timezone.now()
    )
    url = reverse("portal:reservation", args=[reservation.pk])
    body = signed_in(client, driver).get(url).content.decode()
    assert 'data-testid="cancel-reservation"' not in body
    link = reverse("portal:session", args=[tx.pk])
    assert f'href="{link}" data-testid="reservation-session"' in body


def test_cancelling_an_ended_reservation_says_it_has_ended(client, driver, reservation):
    Reservation.objects.filter(pk=reservation.pk).update(status=Reservation.Status.EXPIRED)
    url = reverse("portal:reservation_cancel", args=[reservation.pk])
    response = signed_in(client, driver).post(url, follow=True)
    assert str(ALREADY_ENDED) in response.content.decode()
    assert not Command.objects.exists()


def test_cancelling_at_an_offline_charger_says_so(client, driver, reservation):
    url = reverse("portal:reservation_cancel", args=[reservation.pk])
    response = signed_in(client, driver).post(url)
    assert response["Location"] == reverse("portal:reservation", args=[reservation.pk])
    assert str(STATION_OFFLINE) in client.get(response["Location"]).content.decode()
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.ACCEPTED


class Charger16(Client16):
    answer = "Accepted"

    @on("CancelReservation")
    async def on_cancel(self, reservation_id):
        return result16.CancelReservation(status=self.answer)


class Rejecting16(Charger16):
    answer = "Rejected"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("charger", "status", "said"),
    [
        (Charger16, Reservation.Status.CANCELLED, "Reservation cancelled."),
        (Rejecting16, Reservation.Status.ACCEPTED, "does not hold this reservation any more"),
    ],
)
async def test_the_cancel_button_cancels_at_the_charger(server, charger, status, said):
    user = UserFactory(username="reserving-driver")
    token = IdTokenFactory(id_token="RES-DRIVER-TAG", user=user)
    station = StationFactory(identity="CP-PORTAL-RES")
    reservation = ReservationFactory(station=station, id_token=token, id_tag=token.id_token)
    client = Client()
    client.force_login(user)
    url = reverse("portal:reservation_cancel", args=[reservation.pk])
    async with booted(server, station.identity, subprotocol="ocpp1.6", client_class=charger):
        response = await asyncio.to_thread(client.post, url, follow=True)
    assert said in response.content.decode()
    command = Command.objects.get(station=station, action="CancelReservation")
    assert command.payload == {"reservationId": reservation.reservation_id}
    assert (command.actor, command.actor_label) == (user, "portal")
    reservation.refresh_from_db()
    assert (reservation.status, reservation.cancel_command) == (status, command)
    cancelled = AuditEvent.objects.filter(action="reservations.cancel", actor=user)
    assert cancelled.exists() is (status == Reservation.Status.CANCELLED)


# --- isolation -------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "name"), RESERVATION_VIEWS)
def test_another_drivers_reservation_is_not_found(client, driver, other_reservation, method, name):
    response = getattr(signed_in(client, driver), method)(
        reverse(name, args=[other_reservation.pk])
    )
    assert response.status_code == 404
    other_reservation.refresh_from_db()
    assert other_reservation.status == Reservation.Status.ACCEPTED
    assert not Command.objects.exists()


@pytest.mark.parametrize(("method", "name"), RESERVATION_VIEWS)
def test_a_missing_reservation_is_not_found_the_same_way(client, driver, method, name):
    response = getattr(signed_in(client, driver), method)(reverse(name, args=[999999]))
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "name"), RESERVATION_VIEWS)
def test_staff_see_no_drivers_reservation_in_the_portal(
    client, operator, reservation, method, name
):
    response = getattr(signed_in(client, operator), method)(reverse(name, args=[reservation.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", lambda pk: reverse("portal:reservations")),
        ("get", lambda pk: reverse("portal:reservation", args=[pk])),
        ("post", lambda pk: reverse("portal:reservation_cancel", args=[pk])),
    ],
)
def test_signed_out_visitors_are_sent_to_sign_in(client, reservation, method, url):
    response = getattr(client, method)(url(reservation.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.ACCEPTED
