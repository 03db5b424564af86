"""A live socket follows its user's access as it changes: a lost site stops its stations'
events, a deactivated user or a password changed elsewhere closes the socket."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from django.test import Client
from ocpp.v16 import call as call16

from tests.factories.accounts import StaffProfileFactory
from tests.factories.stations import SiteFactory, StationFactory
from tests.ocpp_client import booted

pytestmark = pytest.mark.asyncio


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _connect(server, cookie: str):
    return websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/live/",
        additional_headers={"Origin": server.http_url, "Cookie": f"sessionid={cookie}"},
        open_timeout=10,
    )


async def _receive(ws, timeout: float = 10) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def _closed_with(ws, timeout: float = 10) -> int | None:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    return closed.value.rcvd.code if closed.value.rcvd else None


@pytest.fixture
def site_operator(transactional_db):
    site = SiteFactory(name="Site A")
    station = StationFactory(identity="CP-SITE-A", site=site)
    profile = StaffProfileFactory(user__username="site-a-operator", sites=[site])
    return profile, site, station


async def test_a_user_who_loses_a_site_stops_getting_its_stations_events(server, site_operator):
    profile, site, station = site_operator
    async with _connect(server, _session_cookie(profile.user)) as ws:
        await ws.send(json.dumps({"watch": [f"station:{station.pk}"]}))
        assert (await _receive(ws))["watching"] == [f"station:{station.pk}"]
        async with booted(server, station.identity) as cp:
            while not any(e["kind"] == "station.online" for e in (await _receive(ws))["events"]):
                pass  # events flow while the site is the user's
            await asyncio.to_thread(profile.sites.remove, site)
            assert await _receive(ws) == {"watching": [], "refused": [f"station:{station.pk}"]}
            await cp.call(
                call16.StatusNotification(connector_id=1, error_code="NoError", status="Preparing")
            )
            with pytest.raises(TimeoutError):
                await _receive(ws, timeout=2)


async def test_a_deactivated_user_s_live_socket_is_closed(server, site_operator):
    profile, _, _ = site_operator
    async with _connect(server, _session_cookie(profile.user)) as ws:
        await ws.send(json.dumps({"watch": ["me"]}))
        await _receive(ws)
        profile.user.is_active = False
        await asyncio.to_thread(profile.user.save)
        assert await _closed_with(ws) == 4401


async def test_a_password_changed_in_another_session_closes_the_live_socket(server, site_operator):
    profile, _, _ = site_operator
    async with _connect(server, _session_cookie(profile.user)) as ws:
        await ws.send(json.dumps({"watch": ["me"]}))
        await _receive(ws)
        profile.user.set_password("a-brand-new-long-password")
        await asyncio.to_thread(profile.user.save)
        assert await _closed_with(ws) == 4401
