"""Failed station logins against `serve --workers 2`: counted by both processes together, each
refusal past the free ones held longer, and the right password admitted during an attack.

Addresses are told apart by X-Forwarded-For from a trusted proxy (TRUSTED_PROXIES=127.0.0.1).
"""

from __future__ import annotations

import time

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from stations.services.security import login_throttle
from tests.factories.stations import STATION_PASSWORD, StationFactory
from tests.ocpp_client import basic_auth
from tests.server import LiveOcppServer, start_server

pytestmark = pytest.mark.asyncio

WRONG = "wrong-password-but-long"
ATTACKER = "198.51.100.7"
NEIGHBOUR = "198.51.100.8"


@pytest.fixture(scope="module")
def two_workers(django_db_setup, django_db_blocker):
    from django.conf import settings
    from django.db import connection

    server = start_server(
        database_name=connection.settings_dict["NAME"],
        channel_prefix=settings.CHANNEL_PREFIX,
        workers=2,
        TRUSTED_PROXIES="127.0.0.1",
        OCPP_AUTH_FREE_FAILURES="3",
        OCPP_AUTH_BACKOFF_MAX_SECONDS="8",
    )
    yield server
    server.stop()


async def attempt(
    server: LiveOcppServer, identity: str, password: str, address: str
) -> tuple[bool, float]:
    """Open a socket as `identity` from `address`: (admitted, seconds until the answer)."""
    headers = {**basic_auth(identity, password), "X-Forwarded-For": address}
    started = time.monotonic()
    try:
        async with websockets.connect(
            server.ws_url(identity),
            subprotocols=["ocpp1.6"],
            additional_headers=headers,
            open_timeout=20,
        ):
            return True, time.monotonic() - started
    except InvalidStatus as refused:
        assert refused.response.status_code == 403
        return False, time.monotonic() - started


async def test_failures_are_counted_across_processes_and_never_keep_out_the_right_password(
    two_workers, transactional_db
):
    station = StationFactory(identity="CP-ATTACKED")
    for _ in range(4):  # both processes warm (their first connection opens the database's)
        assert (await attempt(two_workers, station.identity, STATION_PASSWORD, "192.0.2.1"))[0]
    answers = [await attempt(two_workers, station.identity, WRONG, ATTACKER) for _ in range(6)]
    assert not any(admitted for admitted, _ in answers)
    free, held = [took for _, took in answers[:3]], [took for _, took in answers[3:]]
    assert all(took < 1 for took in free), free
    # 1, 2, 4 s: each process saw only some of the six, yet each refusal knew of all before it.
    assert [took >= expected for took, expected in zip(held, (1, 2, 4), strict=True)] == [
        True,
        True,
        True,
    ], held
    assert login_throttle.failures(address=ATTACKER) == 6

    # The attacked id's right password gets in at once, from its own address or the attacker's.
    for address in (NEIGHBOUR, ATTACKER):
        admitted, took = await attempt(two_workers, station.identity, STATION_PASSWORD, address)
        assert admitted
        assert took < 2, took  # the attacker's next failure would be held 8 s
    # A neighbour behind another address pays nothing for the attacker's failures.
    admitted, took = await attempt(two_workers, station.identity, WRONG, NEIGHBOUR)
    assert not admitted
    assert took < 1, took
