"""Commands through the API over real HTTP to the live server, answered by real chargers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call_result as result201
from rest_framework.authtoken.models import Token

from stations.models import Command
from tests.ocpp_client import booted

pytestmark = pytest.mark.asyncio


class Charger16(Client16):
    @on("Reset")
    async def on_reset(self, type):
        return result16.Reset(status="Accepted" if type == "Soft" else "Rejected")

    @on("GetConfiguration")
    async def on_get_configuration(self, key=None):
        return result16.GetConfiguration(
            configuration_key=[{"key": "HeartbeatInterval", "readonly": False, "value": "300"}],
            unknown_key=["NoSuchKey"],
        )

    @on("ClearCache")
    async def on_clear_cache(self):
        # Slower than the 1 s the API client gives it.
        await asyncio.sleep(2.5)
        return result16.ClearCache(status="Accepted")


class Charger201(Client201):
    @on("Reset")
    async def on_reset(self, type, **kwargs):
        return result201.Reset(status="Scheduled" if type == "OnIdle" else "Accepted")

    @on("RequestStartTransaction")
    async def on_request_start(self, id_token, remote_start_id, **kwargs):
        return result201.RequestStartTransaction(status="Accepted", transaction_id="TX-9")


def _post(url: str, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 - the test server's http:// URL
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


async def command(server, token, station, name: str, body: dict[str, Any], query: str = ""):
    url = f"{server.http_url}/api/v1/stations/{station.identity}/commands/{name}/{query}"
    return await asyncio.to_thread(_post, url, token.key, body)


@pytest.fixture
def token(operator):
    return Token.objects.create(user=operator)


@contextlib.asynccontextmanager
async def connected(server, station, client_class, subprotocol):
    async with booted(
        server, station.identity, subprotocol=subprotocol, client_class=client_class
    ) as cp:
        yield cp


async def test_a_16_station_answers_a_reset_through_the_api(server, station, token, operator):
    async with connected(server, station, Charger16, "ocpp1.6"):
        soft = await command(server, token, station, "reset", {"hard": False})
        hard = await command(server, token, station, "reset", {"hard": True})
    assert soft[0] == 200, soft
    assert soft[1]["result"] == {"status": "Accepted"}
    assert soft[1]["command"]["state"] == "answered"
    assert soft[1]["command"]["payload"] == {"type": "Soft"}
    assert soft[1]["command"]["response"] == {"status": "Accepted"}
    assert soft[1]["command"]["actor"] == "operator"
    assert hard[1]["result"] == {"status": "Rejected"}
    recorded = Command.objects.get(pk=soft[1]["command"]["id"])
    assert (recorded.actor, recorded.actor_label) == (operator, "api")


async def test_a_16_configuration_is_read_through_the_api(server, station, token):
    async with connected(server, station, Charger16, "ocpp1.6"):
        status, body = await command(server, token, station, "get-configuration", {})
    assert status == 200, body
    assert body["result"] == {"values": {"HeartbeatInterval": "300"}, "unknown": ["NoSuchKey"]}


@pytest.mark.parametrize(
    ("subprotocol", "client"),
    [pytest.param("ocpp1.6", Client16, id="1.6"), pytest.param("ocpp2.0.1", Client201, id="2.0.1")],
)
async def test_a_callerror_is_200_with_the_error_on_the_command(
    server, station, token, subprotocol, client
):
    # A client without an UnlockConnector handler answers CALLERROR NotImplemented.
    async with connected(server, station, client, subprotocol):
        status, body = await command(server, token, station, "unlock-connector", {"evse_id": 1})
    assert status == 200, body
    assert body["command"]["state"] == "call_error"
    assert body["command"]["error_code"] == "NotImplemented"
    assert body["result"] == {"status": ""}


async def test_a_2_0_1_station_answers_a_reset_and_a_remote_start(server, station, token):
    async with connected(server, station, Charger201, "ocpp2.0.1"):
        reset = await command(server, token, station, "reset", {"hard": True})
        start = await command(
            server, token, station, "remote-start", {"id_token": "TAG1", "evse_id": 1}
        )
        connector = await command(
            server, token, station, "remote-start", {"id_token": "TAG1", "connector_id": 1}
        )
    assert reset[0] == 200, reset
    assert reset[1]["command"]["payload"] == {"type": "OnIdle"}
    assert reset[1]["result"] == {"status": "Scheduled"}
    assert start[0] == 200, start
    assert start[1]["command"]["action"] == "RequestStartTransaction"
    assert start[1]["command"]["payload"]["evseId"] == 1
    assert start[1]["result"] == {"status": "Accepted"}
    # 2.x starts on an EVSE: a connector is refused before anything is sent.
    assert connector[0] == 400
    assert list(connector[1]) == ["connector_id"]


async def test_a_station_slower_than_the_asked_timeout_is_504(server, station, token):
    async with connected(server, station, Charger16, "ocpp1.6"):
        status, body = await command(server, token, station, "clear-cache", {}, "?timeout=1")
    assert status == 504, body
    assert body["detail"] == "The station did not answer in time."
    assert body["command"]["state"] == "timed_out"
    assert body["command"]["timeout_seconds"] == 1


async def test_an_offline_station_is_409_over_http(server, station, token):
    status, body = await command(server, token, station, "reset", {"hard": True})
    assert status == 409
    assert body["command"]["state"] == "offline"
