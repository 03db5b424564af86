"""The browsers' live socket over a real server: sign-in required, watched names checked,
and a charger's status change arrives without a reload."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from django.test import Client
from ocpp.v16 import call as call16

from backoffice.accounts.models import IdToken
from stations.models import Command, Transaction
from stations.services.commands import remote
from tests.ocpp_client import booted

pytestmark = pytest.mark.asyncio
NOW = "2026-11-24T10:00:00Z"


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _connect(server, cookie: str | None, origin: str | None = None):
    headers = {"Origin": origin or server.http_url}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    return websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/live/", additional_headers=headers, open_timeout=10
    )


async def _receive(ws, timeout: float = 10) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def _events_until(ws, kind: str, timeout: float = 10) -> list[dict]:
    seen: list[dict] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while not any(event["kind"] == kind for event in seen):
        remaining = deadline - asyncio.get_running_loop().time()
        seen += (await _receive(ws, remaining))["events"]
    return seen


async def test_a_status_change_reaches_the_page_watching_the_station(server, station, operator):
    cookie = _session_cookie(operator)
    async with _connect(server, cookie) as ws:
        await ws.send(json.dumps({"watch": [f"station:{station.pk}", "station:0", "nonsense"]}))
        answer = await _receive(ws)
        assert answer == {
            "watching": [f"station:{station.pk}"],
            "refused": ["station:0", "nonsense"],
        }

        async with booted(server, station.identity) as cp:
            online = await _events_until(ws, "station.online")
            await cp.call(
                call16.StatusNotification(connector_id=1, error_code="NoError", status="Preparing")
            )
            changed = await _events_until(ws, "station.status")
            started = await cp.call(
                call16.StartTransaction(
                    connector_id=1, id_tag="ANY-TAG", meter_start=0, timestamp=NOW
                )
            )
            session = await _events_until(ws, "transaction.updated")
    assert {"kind": "station.online", "station": station.pk} in online
    assert {"kind": "station.status", "station": station.pk} in changed
    tx = Transaction.objects.get(transaction_id=str(started.transaction_id))
    assert {"kind": "transaction.updated", "station": station.pk, "transaction": tx.pk} in session


async def test_a_socket_without_a_session_is_refused(server):
    with pytest.raises(websockets.InvalidStatus):
        async with _connect(server, None) as ws:
            await _receive(ws)


async def test_a_socket_from_another_site_is_refused(server, operator):
    cookie = _session_cookie(operator)
    with pytest.raises(websockets.InvalidStatus):
        async with _connect(server, cookie, origin="http://evil.example") as ws:
            await _receive(ws)


async def test_a_socket_from_another_port_of_this_host_is_refused(server, operator):
    # A page served by another program on this machine (same host, other port) is not ours.
    cookie = _session_cookie(operator)
    with pytest.raises(websockets.InvalidStatus):
        async with _connect(server, cookie, origin="http://127.0.0.1:9999") as ws:
            await _receive(ws)


async def test_users_watch_only_what_they_may_see(
    server, station, driver, other_site_operator, viewer
):
    token = IdToken.objects.get(user=driver)
    own = Transaction.objects.create(
        station=station, transaction_id="T-OWN", id_tag=token.id_token, id_token=token
    )
    other = Transaction.objects.create(station=station, transaction_id="T-OTHER")
    asked = [f"station:{station.pk}", "network", f"transaction:{own.pk}", f"transaction:{other.pk}"]
    answers = {}
    for user in (driver, other_site_operator, viewer):
        async with _connect(server, _session_cookie(user)) as ws:
            await ws.send(json.dumps({"watch": asked}))
            answers[user.username] = (await _receive(ws))["watching"]
    assert answers == {
        "driver": [f"transaction:{own.pk}"],
        "other-site-operator": [],
        "viewer": asked,
    }


async def test_a_finished_command_and_new_meter_values_reach_their_pages(
    server, station, id_token, operator
):
    cookie = _session_cookie(operator)
    async with _connect(server, cookie) as ws, booted(server, station.identity) as cp:
        started = await cp.call(
            call16.StartTransaction(
                connector_id=1, id_tag=id_token.id_token, meter_start=0, timestamp=NOW
            )
        )
        tx = Transaction.objects.get(transaction_id=str(started.transaction_id))
        await ws.send(json.dumps({"watch": [f"station:{station.pk}", f"transaction:{tx.pk}"]}))
        await _receive(ws)

        # The plain client answers NotImplemented: a CALLERROR finishes the command too.
        cleared = await asyncio.to_thread(remote.clear_cache, station_id=station.pk)
        finished = await _events_until(ws, "command.finished")
        await cp.call(
            call16.MeterValues(
                connector_id=1,
                transaction_id=started.transaction_id,
                meter_value=[{"timestamp": NOW, "sampled_value": [{"value": "120"}]}],
            )
        )
        metered = await _events_until(ws, "transaction.meter")
    command = cleared.command
    assert command.state == Command.State.CALL_ERROR
    assert {"kind": "command.finished", "station": station.pk, "command": command.pk} in finished
    assert {"kind": "transaction.meter", "transaction": tx.pk} in metered
