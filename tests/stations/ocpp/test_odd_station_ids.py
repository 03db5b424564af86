"""Odd station ids in the URL (NUL, control characters, "/" smuggled as %2F, none at all) get a
clear 403 before authentication, never a 500 or daphne's "No route found", and each counts
against the client's address like any failed login."""

from __future__ import annotations

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from stations.models import Station
from stations.services.security import login_throttle

pytestmark = pytest.mark.asyncio


async def refusal_status(url: str) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(url, subprotocols=["ocpp1.6"], open_timeout=10):
            pass
    return refused.value.response.status_code


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/ocpp/DEMO-CP-1%00", id="NUL"),
        pytest.param("/ocpp/CP%01-1", id="a control character"),
        pytest.param("/ocpp/CP-1%7F", id="DEL"),
        pytest.param("/ocpp/CP%0A1", id="a line feed"),
        pytest.param("/ocpp/..%2F..%2Fadmin", id="slashes as %2F"),
        pytest.param("/ocpp/CP-1%2F", id="a trailing %2F"),
        pytest.param("/ocpp/", id="no id"),
        pytest.param("/ocpp", id="no slash"),
        pytest.param("/ocpp//", id="an empty id"),
    ],
)
async def test_an_odd_station_id_is_refused_with_403_and_counted(server, path):
    logged_before = len(server.log_text())
    assert await refusal_status(f"ws://127.0.0.1:{server.port}{path}") == 403
    assert login_throttle.failures(address="127.0.0.1") == 1
    assert "Traceback" not in server.log_text()[logged_before:]
    assert not Station.objects.exists()


async def test_a_socket_outside_ocpp_and_the_live_socket_is_refused_with_403(server):
    logged_before = len(server.log_text())
    assert await refusal_status(f"ws://127.0.0.1:{server.port}/elsewhere/CP-1") == 403
    assert "Traceback" not in server.log_text()[logged_before:]
