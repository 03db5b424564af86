"""The driver's sessions: history, the live detail page, its card and chart series, limits and
stop (the stop over a real socket to a real charger)."""

from __future__ import annotations

import asyncio
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result as result16

from backoffice.audit.models import AuditEvent
from backoffice.portal.models import DriverSession
from backoffice.portal.services import limits
from backoffice.portal.views.display import STATION_OFFLINE
from stations.models import Command, Transaction
from tests.factories.accounts import IdTokenFactory, UserFactory
from tests.factories.stations import StationFactory
from tests.ocpp_client import booted

from .conftest import make_session, signed_in

pytestmark = pytest.mark.django_db


def test_the_history_lists_the_drivers_sessions_only(client, driver, driver_session, other_session):
    response = signed_in(client, driver).get(reverse("portal:sessions"))
    body = response.content.decode()
    assert response.status_code == 200
    assert [view.transaction for view, _ in response.context["rows"]] == [driver_session]
    assert 'data-testid="history-energy">4.5 kWh' in body
    assert f"history-{other_session.pk}" not in body
    # The cost column is there, empty until tariffs exist.
    assert '<td data-testid="history-cost"></td>' in body


def test_the_history_is_paginated(client, driver, station):
    token = driver.id_tokens.get()
    for number in range(21):
        make_session(station, token, transaction_id=f"H{number}", state=Transaction.State.COMPLETED)
    client = signed_in(client, driver)
    first = client.get(reverse("portal:sessions"))
    second = client.get(reverse("portal:sessions"), {"page": 2})
    assert len(first.context["rows"]) == 20
    assert len(second.context["rows"]) == 1
    assert 'rel="next"' in first.content.decode()


def test_the_detail_page_is_live_and_charts_from_the_portals_series(client, driver, driver_session):
    response = signed_in(client, driver).get(reverse("portal:session", args=[driver_session.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("portal:session_series", args=[driver_session.pk]) in body
    assert f'data-event="live:transaction:{driver_session.pk}"' in body
    assert 'hx-trigger="session:refresh from:body"' in body
    assert 'data-testid="stop-session"' in body


def test_the_card_fragment_renders_the_live_values(client, driver, driver_session):
    url = reverse("portal:session_card", args=[driver_session.pk])
    body = signed_in(client, driver).get(url).content.decode()
    assert body.lstrip().startswith("<section")
    assert 'data-testid="session-power">7.2' in body


def test_the_series_are_the_drivers_sessions_meter_values(client, driver, driver_session):
    url = reverse("portal:session_series", args=[driver_session.pk])
    data = signed_in(client, driver).get(url).json()
    # Delivered in the session: the register (5500 Wh) less the start (1000 Wh).
    assert data["energy_wh"] == [4500.0]
    assert data["power_w"] == [7200.0]
    assert data["soc_percent"] == [63.0]
    assert data["state"] == "active"


def test_an_ended_session_has_no_stop_button(client, driver, station):
    tx = make_session(
        station,
        driver.id_tokens.get(),
        transaction_id="900",
        state=Transaction.State.COMPLETED,
        stopped_at=timezone.now(),
        meter_stop_wh=D("3500"),
    )
    body = signed_in(client, driver).get(reverse("portal:session", args=[tx.pk])).content.decode()
    assert 'data-testid="session-energy">2.5 <small>kWh' in body
    assert 'data-testid="stop-session"' not in body
    assert 'data-active="false"' in body


# --- limits ----------------------------------------------------------------------------------


def test_a_limit_is_saved_in_the_drivers_units(client, driver, driver_session):
    url = reverse("portal:session_limits", args=[driver_session.pk])
    response = signed_in(client, driver).post(url, {"energy_kwh": "12.5", "minutes": "90"})
    assert response.status_code == 302
    session = DriverSession.objects.get(transaction=driver_session)
    assert (session.limit_energy_wh, session.limit_minutes) == (D("12500"), 90)
    assert AuditEvent.objects.filter(action="portal.session.limits", actor=driver).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Limits saved." in page
    assert 'data-testid="session-limits"' in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"energy_kwh": "lots"}, "energy_kwh"),
        ({"energy_kwh": "-3"}, "energy_kwh"),
        ({"energy_kwh": "100000"}, "energy_kwh"),
        ({"minutes": "1.5"}, "minutes"),
        ({"minutes": "0"}, "minutes"),
        ({"minutes": "999999"}, "minutes"),
    ],
)
def test_nonsense_limits_get_field_errors(client, driver, driver_session, data, field):
    url = reverse("portal:session_limits", args=[driver_session.pk])
    response = signed_in(client, driver).post(url, data)
    assert response.status_code == 400
    form = response.context["card"].limits_form
    assert field in form.errors
    assert DriverSession.objects.get(transaction=driver_session).has_limit is False


def test_a_limit_already_passed_is_refused_at_its_field(client, driver, driver_session):
    # The session has delivered 4.5 kWh: a 2 kWh limit is already reached.
    url = reverse("portal:session_limits", args=[driver_session.pk])
    response = signed_in(client, driver).post(url, {"energy_kwh": "2"})
    assert response.status_code == 400
    errors = response.context["card"].limits_form.errors["energy_kwh"]
    assert errors[0].startswith("The session has already delivered 4.5 kWh")


def test_limits_of_an_ended_session_are_refused(client, driver, driver_session):
    Transaction.objects.filter(pk=driver_session.pk).update(state=Transaction.State.COMPLETED)
    url = reverse("portal:session_limits", args=[driver_session.pk])
    response = signed_in(client, driver).post(url, {"minutes": "60"}, follow=True)
    assert str(limits.NOT_ACTIVE) in response.content.decode()
    assert DriverSession.objects.get(transaction=driver_session).limit_minutes is None


# --- stop ------------------------------------------------------------------------------------


def test_stopping_at_an_offline_charger_says_so(client, driver, driver_session):
    url = reverse("portal:session_stop", args=[driver_session.pk])
    response = signed_in(client, driver).post(url, {"next": reverse("portal:home")})
    assert response["Location"] == reverse("portal:home")
    assert str(STATION_OFFLINE) in client.get(response["Location"]).content.decode()


def test_stopping_ignores_a_next_off_the_site(client, driver, driver_session):
    url = reverse("portal:session_stop", args=[driver_session.pk])
    response = signed_in(client, driver).post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("portal:session", args=[driver_session.pk])


def test_stopping_an_ended_session_says_it_has_ended(client, driver, driver_session):
    Transaction.objects.filter(pk=driver_session.pk).update(state=Transaction.State.COMPLETED)
    url = reverse("portal:session_stop", args=[driver_session.pk])
    response = signed_in(client, driver).post(url, follow=True)
    assert "This session is not running." in response.content.decode()


class Charger16(Client16):
    @on("RemoteStopTransaction")
    async def on_remote_stop(self, transaction_id, **kwargs):
        return result16.RemoteStopTransaction(status="Accepted")


@pytest.mark.asyncio
async def test_a_charger_stops_the_session_from_the_stop_button(server):
    user = UserFactory(username="stopping-driver")
    token = IdTokenFactory(id_token="STOP-TAG", user=user)
    station = StationFactory(identity="CP-PORTAL-STOP")
    tx = make_session(station, token, transaction_id="4242")
    client = Client()
    client.force_login(user)
    url = reverse("portal:session_stop", args=[tx.pk])
    async with booted(server, station.identity, subprotocol="ocpp1.6", client_class=Charger16):
        response = await asyncio.to_thread(client.post, url, follow=True)
    assert "The charger is stopping your session." in response.content.decode()
    command = Command.objects.get(station=station, action="RemoteStopTransaction")
    assert command.payload == {"transactionId": 4242}
    assert DriverSession.objects.get(transaction=tx).stop_command == command
