"""A driver's page watches "me" over the live socket and gets their notifications as they
happen (here: a card session started at a real charger); nobody can watch another's."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from django.test import Client
from ocpp.v16 import call as call16

from backoffice.live import access
from backoffice.portal.models import Notification
from tests.ocpp_client import booted

NOW = "2026-11-24T10:00:00Z"


def _connect(server, user):
    client = Client()
    client.force_login(user)
    headers = {
        "Origin": server.http_url,
        "Cookie": f"sessionid={client.cookies['sessionid'].value}",
    }
    return websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/live/", additional_headers=headers, open_timeout=10
    )


async def _receive(ws, timeout: float = 10) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


@pytest.mark.asyncio
async def test_a_drivers_notification_reaches_their_page_live(server, station, driver):
    async with _connect(server, driver) as ws:
        await ws.send(json.dumps({"watch": ["me", "me:7", f"user:{driver.pk}"]}))
        assert await _receive(ws) == {"watching": ["me"], "refused": ["me:7", f"user:{driver.pk}"]}
        async with booted(server, station.identity) as cp:
            await cp.call(
                call16.StartTransaction(
                    connector_id=1, id_tag="DRIVER-TAG", meter_start=0, timestamp=NOW
                )
            )
            events: list[dict] = []
            while not any(event["kind"] == "notification" for event in events):
                events += (await _receive(ws))["events"]
    given = Notification.objects.get(user=driver)
    assert {
        "kind": "notification",
        "notification": given.pk,
        "type": "session_started",
        "title": "Charging session started",
        "body": f"Your session at {station.identity} has started.",
    } in events


def test_me_is_the_requesting_users_own_group_only(db, driver, other_driver):
    assert access.resolve(driver, ["me"]) == ([f"live.user.{driver.pk}"], [])
    assert access.resolve(other_driver, ["me"]) == ([f"live.user.{other_driver.pk}"], [])
    assert access.name_of(f"live.user.{driver.pk}") == "me"
