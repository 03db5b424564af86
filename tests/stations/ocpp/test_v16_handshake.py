"""The WebSocket upgrade: subprotocol, URL, who is admitted, and one socket per station.

A refused upgrade is answered by daphne with HTTP 403 (PROTOCOL.md accepts 403 or 404).
"""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import quote

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from stations.models import MessageLog, SecurityEvent, Station, StationConnection
from stations.services.security import security_events
from tests.factories.stations import STATION_PASSWORD, StationFactory
from tests.ocpp_client import basic_auth, eventually, exchange, raw_socket
from tests.server import start_server

pytestmark = pytest.mark.asyncio

HEARTBEAT = [2, "hb", "Heartbeat", {}]


async def answers_heartbeat(ws: websockets.ClientConnection) -> bool:
    reply = await exchange(ws, HEARTBEAT)
    return reply[:2] == [3, "hb"]


async def refusal_status(url: str, headers: dict[str, str] | None = None) -> int:
    """The HTTP status the upgrade gets; fails the test if the socket is admitted."""
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(
            url, subprotocols=["ocpp1.6"], additional_headers=headers or {}, open_timeout=10
        ):
            pass
    return refused.value.response.status_code


async def closed_with(ws: websockets.ClientConnection) -> int | None:
    """Wait for the server to close `ws`; the close code it sent."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 10)
    return closed.value.rcvd.code if closed.value.rcvd else None


def connected_channel(station: Station) -> str | None:
    return (
        StationConnection.objects.filter(station=station)
        .values_list("channel_name", flat=True)
        .first()
    )


# --- subprotocol and URL -----------------------------------------------------------------------


@pytest.mark.parametrize("offered", [("ocpp1.6",), ("ocpp1.5", "ocpp1.6"), ("ocpp1.6", "ocpp2.0")])
async def test_it_agrees_on_ocpp16_when_the_charger_offers_it(server, station, offered):
    async with raw_socket(server, station.identity, subprotocols=offered) as ws:
        assert ws.subprotocol == "ocpp1.6"
        assert await answers_heartbeat(ws)


@pytest.mark.parametrize("offered", [("ocpp2.0",), ("ocpp1.5", "OCPP1.6"), ()])
async def test_without_a_common_subprotocol_it_completes_the_handshake_then_closes_1002(
    server, station, offered
):
    async with raw_socket(server, station.identity, subprotocols=offered) as ws:
        assert ws.subprotocol is None
        assert await closed_with(ws) == 1002
    assert connected_channel(station) is None


async def test_a_trailing_slash_in_the_url_is_accepted(server, station):
    async with raw_socket(server, station.identity, suffix="/") as ws:
        assert await answers_heartbeat(ws)


async def test_a_percent_encoded_station_id_is_decoded(server, transactional_db):
    station = StationFactory(identity="CP 1#x")
    url = server.ws_url(quote(station.identity, safe=""))
    assert "CP%201%23x" in url
    async with websockets.connect(
        url,
        subprotocols=["ocpp1.6"],
        additional_headers=basic_auth(station.identity, STATION_PASSWORD),
        open_timeout=10,
    ) as ws:
        assert await answers_heartbeat(ws)
        assert await eventually(lambda: connected_channel(station))
    assert await eventually(
        lambda: MessageLog.objects.filter(station_identity="CP 1#x", action="Heartbeat").exists()
    )


# --- who is admitted ---------------------------------------------------------------------------


async def test_an_unknown_station_is_refused(server, station):
    url = server.ws_url("CP-NOBODY")
    assert await refusal_status(url, basic_auth("CP-NOBODY", STATION_PASSWORD)) == 403
    assert not Station.objects.filter(identity="CP-NOBODY").exists()


def _basic(raw: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(basic_auth("CP-TEST-1", "wrong-password-but-long"), id="wrong password"),
        pytest.param({}, id="no Authorization header"),
        pytest.param(basic_auth("CP-OTHER", STATION_PASSWORD), id="username is not the URL id"),
        pytest.param(basic_auth("cp-test-1", STATION_PASSWORD), id="username in another case"),
        pytest.param(_basic("CP-TEST-1"), id="no colon in the credentials"),
        pytest.param({"Authorization": "Basic %%%not-base64"}, id="credentials not base64"),
        pytest.param({"Authorization": f"Bearer {STATION_PASSWORD}"}, id="not Basic"),
        pytest.param(_basic(f"CP-TEST-1:{STATION_PASSWORD}x"), id="password with a suffix"),
    ],
)
async def test_a_profile_1_station_with_bad_credentials_is_refused(server, station, headers):
    assert await refusal_status(server.ws_url(station.identity), headers) == 403
    assert connected_channel(station) is None


async def test_an_inactive_station_is_refused(server, transactional_db):
    station = StationFactory(is_active=False)
    headers = basic_auth(station.identity, STATION_PASSWORD)
    assert await refusal_status(server.ws_url(station.identity), headers) == 403


async def test_a_profile_1_station_without_a_password_set_is_refused(server, transactional_db):
    station = StationFactory(password_hash="")
    headers = basic_auth(station.identity, "")
    assert await refusal_status(server.ws_url(station.identity), headers) == 403


async def test_a_profile_0_station_is_admitted_without_credentials(server, transactional_db):
    station = StationFactory(security_profile=Station.SecurityProfile.NONE, password_hash="")
    async with raw_socket(server, station.identity, password=None) as ws:
        assert await answers_heartbeat(ws)


async def test_a_profile_2_station_is_refused_over_plain_ws(server, transactional_db):
    station = StationFactory(security_profile=Station.SecurityProfile.TLS_BASIC)
    headers = basic_auth(station.identity, STATION_PASSWORD)
    assert await refusal_status(server.ws_url(station.identity), headers) == 403


# --- unknown stations allowed ------------------------------------------------------------------


@pytest.fixture(scope="module")
def open_server(django_db_setup, django_db_blocker, worker_id):
    """A second server on the test database that admits unknown stations."""
    from django.db import connection

    server = start_server(
        database_name=connection.settings_dict["NAME"],
        channel_prefix=f"test-{worker_id}-open",
        OCPP_ALLOW_UNKNOWN_STATIONS="true",
    )
    yield server
    server.stop()


async def test_an_unknown_station_is_admitted_pending_when_allowed(open_server, transactional_db):
    async with raw_socket(open_server, "CP-NEW-1", password=None) as ws:
        station = Station.objects.get(identity="CP-NEW-1")
        assert station.registration_status == Station.Registration.PENDING
        assert station.auto_registered is True
        assert station.security_profile == Station.SecurityProfile.NONE
        boot = await exchange(
            ws, [2, "boot", "BootNotification", {"chargePointVendor": "A", "chargePointModel": "B"}]
        )
        assert boot[:2] == [3, "boot"]
        assert boot[2]["status"] == "Pending"
        heartbeat = await exchange(ws, HEARTBEAT)
        assert heartbeat[:3] == [4, "hb", "SecurityError"]
        assert heartbeat[4] == {}


async def test_a_known_station_still_needs_its_password_when_unknown_ones_are_allowed(
    open_server, station
):
    headers = basic_auth(station.identity, "wrong-password-but-long")
    assert await refusal_status(open_server.ws_url(station.identity), headers) == 403
    station.refresh_from_db()
    assert station.auto_registered is False


# --- one connection per station ----------------------------------------------------------------


async def test_the_registry_lists_a_station_while_it_is_connected(server, station):
    async with raw_socket(server, station.identity) as ws:
        assert await answers_heartbeat(ws)
        connection = await eventually(
            lambda: StationConnection.objects.filter(station=station).first()
        )
        assert connection.ocpp_version == "1.6"
        assert connection.remote_addr == "127.0.0.1"
    assert await eventually(lambda: connected_channel(station) is None)


async def test_a_second_authenticated_connection_replaces_the_first(server, transactional_db):
    station = StationFactory()
    async with raw_socket(server, station.identity) as first:
        assert await answers_heartbeat(first)
        first_channel = await eventually(lambda: connected_channel(station))
        async with raw_socket(server, station.identity) as second:
            assert await closed_with(first) == 4000
            assert await answers_heartbeat(second)
            # The old socket's disconnect has run by now and left the new entry alone.
            await eventually(
                lambda: f"identity='{station.identity}'" in disconnects(server.log_text())
            )
            second_channel = connected_channel(station)
            assert second_channel is not None
            assert second_channel != first_channel
            assert await answers_heartbeat(second)
    events = SecurityEvent.objects.filter(station=station)
    assert [(e.type, e.raised_by_backoffice) for e in events] == [
        (security_events.CONNECTION_REPLACED, True)
    ]
    assert await eventually(lambda: connected_channel(station) is None)


def disconnects(log: str) -> str:
    return "\n".join(line for line in log.splitlines() if "ocpp.disconnected" in line)


async def test_a_refused_connection_does_not_replace_the_open_one(server, station):
    async with raw_socket(server, station.identity) as first:
        assert await answers_heartbeat(first)
        channel = await eventually(lambda: connected_channel(station))
        headers = basic_auth(station.identity, "wrong-password-but-long")
        assert await refusal_status(server.ws_url(station.identity), headers) == 403
        assert await answers_heartbeat(first)
        assert connected_channel(station) == channel
    assert not SecurityEvent.objects.filter(station=station).exists()
