"""Start charging: the site → station → connector picker and the QR link's page, with its
message per connector state, its limits form and a start answered by a real charger."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result as result16

from backoffice.portal.models import DriverSession
from backoffice.portal.services import charging
from stations.models import Connector, Evse, Station, StationConnection, Worker
from tests.factories.accounts import UserFactory
from tests.factories.stations import SiteFactory, StationFactory
from tests.ocpp_client import booted

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def text(message) -> str:
    """A message as the page shows it (escaped)."""
    return str(escape(str(message)))


def connector(station, status: str, evse_id: int = 1) -> Connector:
    evse, _ = Evse.objects.get_or_create(station=station, evse_id=evse_id)
    return Connector.objects.create(evse=evse, connector_id=1, status=status)


def online(station) -> None:
    """Held by a live server process, as far as the pages can tell."""
    now = timezone.now()
    worker, _ = Worker.objects.get_or_create(
        name="portal-tests", defaults={"started_at": now, "beat_at": now}
    )
    StationConnection.objects.create(
        station=station, worker=worker, channel_name=f"c{station.pk}", connected_at=now
    )


def start_url(station, evse_id: int = 1) -> str:
    return reverse("portal:start_at", args=[station.identity, evse_id, 1])


# --- the QR link's page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("Charging", charging.Reason.OCCUPIED),
        ("Finishing", charging.Reason.OCCUPIED),
        ("Faulted", charging.Reason.FAULTED),
        ("Unavailable", charging.Reason.UNAVAILABLE),
        ("Reserved", charging.Reason.RESERVED),
    ],
)
def test_a_connector_that_cannot_start_says_why(client, driver, station, status, reason):
    connector(station, status)
    online(station)
    response = signed_in(client, driver).get(start_url(station))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-reason="{reason}"' in body
    assert text(charging.MESSAGES[reason]) in body
    assert 'data-testid="start-form"' not in body


def test_an_offline_charger_says_so(client, driver, station):
    connector(station, "Available")
    body = signed_in(client, driver).get(start_url(station)).content.decode()
    assert text(charging.MESSAGES[charging.Reason.OFFLINE]) in body
    assert 'data-testid="start-form"' not in body


def test_a_free_connector_offers_the_start_with_optional_limits(client, driver, station):
    connector(station, "Available")
    online(station)
    body = signed_in(client, driver).get(start_url(station)).content.decode()
    assert text(charging.MESSAGES[charging.Reason.AVAILABLE]) in body
    assert 'data-testid="start-button"' in body
    assert 'name="energy_kwh"' in body
    assert 'name="minutes"' in body


def test_an_unknown_station_is_not_found(client, driver):
    response = signed_in(client, driver).get(reverse("portal:start_at", args=["NO-SUCH-CP", 1, 1]))
    assert response.status_code == 404


def test_a_station_not_accepted_is_not_found(client, driver):
    station = StationFactory(registration_status=Station.Registration.PENDING)
    assert signed_in(client, driver).get(start_url(station)).status_code == 404


def test_a_signed_out_visitor_signs_in_and_comes_back(client, station):
    url = start_url(station)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"energy_kwh": "a lot"}, "energy_kwh"),
        ({"energy_kwh": "0"}, "energy_kwh"),
        ({"minutes": "-5"}, "minutes"),
        ({"minutes": "ten"}, "minutes"),
    ],
)
def test_nonsense_limits_get_field_errors_and_nothing_starts(client, driver, station, data, field):
    connector(station, "Available")
    online(station)
    response = signed_in(client, driver).post(start_url(station), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not DriverSession.objects.filter(user=driver).exists()


def test_a_start_refused_before_sending_shows_why_on_the_page(client, driver, station):
    connector(station, "Charging")
    online(station)
    response = signed_in(client, driver).post(start_url(station), {})
    assert response.status_code == 409
    assert 'data-testid="start-error"' in response.content.decode()
    assert not DriverSession.objects.filter(user=driver).exists()


class Charger16(Client16):
    @on("RemoteStartTransaction")
    async def on_remote_start(self, id_tag, **kwargs):
        return result16.RemoteStartTransaction(status="Accepted")


@pytest.mark.asyncio
async def test_a_charger_accepts_the_start_and_the_driver_lands_home(server):
    user = UserFactory(username="qr-driver")
    station = StationFactory(identity="CP-PORTAL-START")
    client = Client()
    client.force_login(user)
    async with booted(server, station.identity, subprotocol="ocpp1.6", client_class=Charger16):
        connector(station, "Available")
        response = await asyncio.to_thread(
            client.post, start_url(station), {"energy_kwh": "10", "minutes": ""}, follow=True
        )
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert text(charging.START_ACCEPTED) in response.content.decode()
    session = DriverSession.objects.get(user=user)
    assert session.limit_energy_wh == 10000
    assert session.start_command.result_status == "Accepted"
    assert 'data-testid="pending-start"' in response.content.decode()


class Refusing16(Client16):
    @on("RemoteStartTransaction")
    async def on_remote_start(self, id_tag, **kwargs):
        return result16.RemoteStartTransaction(status="Rejected")


@pytest.mark.asyncio
async def test_a_start_the_charger_refuses_is_told_at_home(server):
    user = UserFactory(username="refused-driver")
    station = StationFactory(identity="CP-PORTAL-REFUSES")
    client = Client()
    client.force_login(user)
    async with booted(server, station.identity, subprotocol="ocpp1.6", client_class=Refusing16):
        connector(station, "Available")
        response = await asyncio.to_thread(client.post, start_url(station), {}, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert text(charging.START_REJECTED) in body
    assert 'data-testid="pending-start"' not in body


# --- the picker ------------------------------------------------------------------------------


def test_the_picker_goes_site_then_station_then_connector(client, driver):
    site = SiteFactory(name="Harbour")
    station = StationFactory(identity="CP-HARBOUR", site=site)
    connector(station, "Available")
    connector(station, "Faulted", evse_id=2)
    online(station)
    client = signed_in(client, driver)
    sites = client.get(reverse("portal:start")).content.decode()
    assert f'href="?site={site.pk}"' in sites
    stations = client.get(reverse("portal:start"), {"site": site.pk}).content.decode()
    assert f"station={station.pk}" in stations
    connectors = client.get(
        reverse("portal:start"), {"site": site.pk, "station": station.pk}
    ).content.decode()
    assert start_url(station, 1) in connectors
    # The faulted connector is listed with its message, not as a link to start.
    assert start_url(station, 2) not in connectors
    assert text(charging.MESSAGES[charging.Reason.FAULTED]) in connectors


def test_the_picker_ignores_nonsense_and_foreign_choices(client, driver):
    site = SiteFactory(name="Harbour")
    elsewhere = StationFactory(site=SiteFactory(name="Elsewhere"))
    client = signed_in(client, driver)
    for query in ({"site": "x"}, {"site": "999999"}, {"site": site.pk, "station": elsewhere.pk}):
        assert client.get(reverse("portal:start"), query).status_code == 200


def test_the_public_url_base_is_used_for_qr_links_not_the_start_page():
    # The QR code carries the absolute link; the page itself is a relative route.
    assert start_url(StationFactory.build(identity="CP 1")).startswith("/portal/start/CP%201/")
    assert settings.BACKOFFICE_PUBLIC_URL
