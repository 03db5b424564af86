"""A station's open socket does not outlive its access: a new password, deactivation or rejection
in Django admin closes it (1008), wherever it is held; other edits leave it open."""

from __future__ import annotations

import asyncio

import pytest
import websockets
from django.test import Client
from websockets.exceptions import InvalidStatus

from stations.models import Station, StationConnection
from stations.services.security import station_auth
from tests.factories.accounts import UserFactory
from tests.factories.stations import STATION_PASSWORD, StationFactory
from tests.ocpp_client import eventually, exchange, raw_socket

pytestmark = pytest.mark.asyncio

HEARTBEAT = [2, "hb", "Heartbeat", {}]


def _admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _change_in_admin(station: Station, **changes: object) -> None:
    """Post the station's admin change form as it is, with `changes` (is_active=False unticks)."""
    client = _admin_client()
    url = f"/admin/stations/station/{station.pk}/change/"
    prefix = client.get(url).context["inline_admin_formsets"][0].formset.prefix
    data: dict[str, object] = {
        "identity": station.identity,
        "name": station.name,
        "site": station.site_id or "",
        "is_active": "on",
        "registration_status": station.registration_status,
        "security_profile": station.security_profile,
        f"{prefix}-TOTAL_FORMS": 0,
        f"{prefix}-INITIAL_FORMS": 0,
    }
    data.update(changes)
    if data["is_active"] is False:
        del data["is_active"]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


async def _closed_with(ws: websockets.ClientConnection, timeout: float = 10) -> int | None:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    return closed.value.rcvd.code if closed.value.rcvd else None


async def _connected(station: Station) -> bool:
    return bool(
        await eventually(lambda: StationConnection.objects.filter(station=station).exists())
    )


async def test_a_new_password_closes_the_open_socket_and_only_the_new_one_gets_in(server, station):
    new_password = station_auth.generate_password()
    async with raw_socket(server, station.identity) as ws:
        assert await _connected(station)
        await asyncio.to_thread(_change_in_admin, station, new_password=new_password)
        assert await _closed_with(ws) == 1008
    with pytest.raises(InvalidStatus):
        async with raw_socket(server, station.identity, password=STATION_PASSWORD):
            pass
    async with raw_socket(server, station.identity, password=new_password) as ws:
        assert (await exchange(ws, HEARTBEAT))[0] == 3


async def test_deactivating_a_station_closes_its_socket(server, station):
    async with raw_socket(server, station.identity) as ws:
        assert await _connected(station)
        await asyncio.to_thread(_change_in_admin, station, is_active=False)
        assert await _closed_with(ws) == 1008


async def test_rejecting_a_station_closes_its_socket(server, station):
    async with raw_socket(server, station.identity) as ws:
        assert await _connected(station)
        response = await asyncio.to_thread(
            _admin_client().post,
            "/admin/stations/station/",
            {"action": "reject_stations", "_selected_action": [station.pk]},
        )
        assert response.status_code == 302
        assert await _closed_with(ws) == 1008
    await asyncio.to_thread(station.refresh_from_db)
    assert station.registration_status == Station.Registration.REJECTED


async def test_an_edit_that_takes_no_access_away_leaves_the_socket_open(server, station):
    async with raw_socket(server, station.identity) as ws:
        assert await _connected(station)
        await asyncio.to_thread(_change_in_admin, station, name="Renamed")
        await asyncio.sleep(1)
        assert (await exchange(ws, HEARTBEAT))[0] == 3


async def test_accepting_a_pending_station_closes_its_socket_so_it_boots_accepted(
    server, transactional_db
):
    station = StationFactory(
        identity="CP-PENDING", registration_status=Station.Registration.PENDING
    )
    async with raw_socket(server, station.identity) as ws:
        assert await _connected(station)
        response = await asyncio.to_thread(
            _admin_client().post,
            "/admin/stations/station/",
            {"action": "accept_stations", "_selected_action": [station.pk]},
        )
        assert response.status_code == 302
        assert await _closed_with(ws) == 1008
    async with raw_socket(server, station.identity) as ws:
        boot = await exchange(
            ws, [2, "b", "BootNotification", {"chargePointVendor": "A", "chargePointModel": "B"}]
        )
        assert boot[2]["status"] == "Accepted"
