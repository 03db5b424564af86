"""With OCPP_ALLOW_UNKNOWN_STATIONS, anonymous sockets cannot fill the station table: a cap on
stations waiting Pending, and a limit per client address (told apart through a trusted proxy)."""

from __future__ import annotations

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from stations.models import Station
from tests.server import LiveOcppServer, start_server

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def open_server(django_db_setup, django_db_blocker, worker_id):
    from django.db import connection

    server = start_server(
        database_name=connection.settings_dict["NAME"],
        channel_prefix=f"test-{worker_id}-pending",
        OCPP_ALLOW_UNKNOWN_STATIONS="true",
        OCPP_MAX_PENDING_STATIONS="3",
        OCPP_UNKNOWN_STATIONS_PER_ADDRESS_PER_HOUR="2",
        TRUSTED_PROXIES="127.0.0.1",
    )
    yield server
    server.stop()


async def admitted(server: LiveOcppServer, identity: str, address: str) -> bool:
    try:
        async with websockets.connect(
            server.ws_url(identity),
            subprotocols=["ocpp1.6"],
            additional_headers={"X-Forwarded-For": address},
            open_timeout=10,
        ):
            return True
    except InvalidStatus as refused:
        assert refused.response.status_code == 403
        return False


def pending() -> list[str]:
    return sorted(
        Station.objects.filter(registration_status=Station.Registration.PENDING).values_list(
            "identity", flat=True
        )
    )


async def test_one_address_creates_only_its_share_of_unknown_stations(
    open_server, transactional_db
):
    assert await admitted(open_server, "CP-ANON-1", "198.51.100.1")
    assert await admitted(open_server, "CP-ANON-2", "198.51.100.1")
    assert not await admitted(open_server, "CP-ANON-3", "198.51.100.1")
    assert await admitted(open_server, "CP-ANON-3", "198.51.100.2")
    assert pending() == ["CP-ANON-1", "CP-ANON-2", "CP-ANON-3"]
    # An unknown station that already exists is no new one: it comes back whatever the count.
    assert await admitted(open_server, "CP-ANON-1", "198.51.100.1")


async def test_no_unknown_station_is_created_while_the_pending_ones_fill_the_cap(
    open_server, transactional_db
):
    for n, address in enumerate(("198.51.100.11", "198.51.100.12", "198.51.100.13")):
        assert await admitted(open_server, f"CP-WAIT-{n}", address)
    assert not await admitted(open_server, "CP-WAIT-3", "198.51.100.14")
    assert pending() == ["CP-WAIT-0", "CP-WAIT-1", "CP-WAIT-2"]
    # Accepting one makes room.
    Station.objects.filter(identity="CP-WAIT-0").update(
        registration_status=Station.Registration.ACCEPTED
    )
    assert await admitted(open_server, "CP-WAIT-3", "198.51.100.14")
