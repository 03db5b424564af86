"""Starting charging through the API, answered by real chargers over real sockets."""

from __future__ import annotations

import asyncio

import pytest

from backoffice.accounts.models import DriverProfile
from backoffice.portal.models import DriverSession
from backoffice.portal.services import charging
from backoffice.portal.services.charging import MESSAGES, Reason
from stations.models import Command
from tests.backoffice.portal.test_charging import connected

pytestmark = pytest.mark.asyncio


async def post(client, path, body):
    return await asyncio.to_thread(client.post, path, body, format="json")


async def get(client, path):
    return await asyncio.to_thread(client.get, path)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_start_through_the_api_reaches_the_charger(api, server, station, driver, version):
    client = api(driver)
    async with connected(server, station, version) as cp:
        state = await get(client, f"/api/v1/me/stations/{station.identity}/")
        response = await post(
            client,
            "/api/v1/me/start/",
            {"station": station.identity, "evse_id": 1, "limit_energy_wh": "7000"},
        )
        again = await post(client, "/api/v1/me/start/", {"station": station.identity, "evse_id": 1})

    assert state.status_code == 200
    assert state.json()["online"] is True
    assert state.json()["connectors"] == [
        {
            "evse_id": 1,
            "connector_id": 1,
            "status": "Available",
            "startable": True,
            "reason": "available",
            "message": str(MESSAGES[Reason.AVAILABLE]),
        }
    ]
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["accepted"], body["status"]) == (True, "Accepted")
    assert body["message"] == str(charging.START_ACCEPTED)
    assert body["start"]["station"] == station.identity
    assert body["start"]["limits"]["energy_wh"] == "7000.0"
    session = DriverSession.objects.get()
    assert session.id_tag == DriverProfile.objects.get(user=driver).app_token.id_token
    assert len(cp.requests) == 1
    # The same start again while it waits for the car: refused before anything is sent.
    assert again.status_code == 409
    assert again.json() == {
        "detail": str(MESSAGES[Reason.ALREADY_CHARGING]),
        "reason": "already_charging",
    }
    assert Command.objects.filter(actor=driver).count() == 1


async def test_a_start_the_charger_refuses_is_409(api, server, station, driver):
    async with connected(server, station, "1.6", accept=False):
        response = await post(
            api(driver), "/api/v1/me/start/", {"station": station.identity, "evse_id": 1}
        )
    assert response.status_code == 409
    assert response.json() == {"detail": str(charging.START_REJECTED), "reason": "rejected"}


async def test_a_start_at_an_offline_or_unknown_station_is_refused(api, server, station, driver):
    offline = await post(
        api(driver), "/api/v1/me/start/", {"station": station.identity, "evse_id": 1}
    )
    unknown = await post(api(driver), "/api/v1/me/start/", {"station": "NOPE", "evse_id": 1})
    assert offline.status_code == 409
    assert offline.json() == {"detail": str(MESSAGES[Reason.OFFLINE]), "reason": "offline"}
    assert unknown.status_code == 404
    assert not Command.objects.exists()
