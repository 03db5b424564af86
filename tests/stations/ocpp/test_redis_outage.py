"""Redis (channel layer, Celery's broker, shared counters) going away stops no charger.

Two server processes share a Redis of the test's own; the stations are held by one of them.
While Redis is stopped, or frozen so that it accepts connections and answers nothing, the
stations' sockets stay open and every CALL is answered and stored from the database without
waiting on Redis; a command that must cross to the other process fails at once (HTTP 503,
the command closed as failed), one issued in the holding process still reaches its station.
Once Redis is back, commands cross again on the same sockets: nobody reconnected.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from rest_framework.authtoken.models import Token
from websockets.exceptions import InvalidStatus

from stations.models import Command, MessageLog, StationConnection, Transaction
from tests.factories.stations import StationFactory
from tests.ocpp_client import booted, raw_socket
from tests.private_redis import PrivateRedis
from tests.server import LiveOcppServer, start_server

pytestmark = pytest.mark.asyncio

# A healthy server answers these in milliseconds; waiting on an unreachable Redis costs
# seconds (connection retries, socket timeouts) or forever.
ANSWER_WITHIN = 1.0
OUTAGE_SECONDS = 4.0
# Redis is probed again at most this long after a failed probe (plus a command's round trip).
RECOVERY_WITHIN = 20.0
UNREACHABLE = "could not be reached"


class Charger16(Client16):
    @on("Reset")
    async def on_reset(self, type):
        return result16.Reset(status="Accepted")


class Charger201(Client201):
    @on("Reset")
    async def on_reset(self, type, **kwargs):
        return result201.Reset(status="Accepted")


@pytest.fixture
def redis_server(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def servers(redis_server, transactional_db):
    """The station holder and another process, both on the private Redis, Celery not eager
    (its broker is that Redis too; no worker runs: tasks only have to be queued)."""
    started: list[LiveOcppServer] = []
    try:
        while len(started) < 2:
            server = start_server(
                database_name=connection.settings_dict["NAME"],
                channel_prefix=settings.CHANNEL_PREFIX,
                REDIS_URL=redis_server.url,
                CELERY_TASK_ALWAYS_EAGER="false",
            )
            started.append(server)
        yield started
    finally:
        redis_server.resume()  # a frozen Redis would hold the servers' shutdown
        for server in started:
            server.stop()
        connection.close()


@pytest.fixture
def token(operator):
    return Token.objects.create(user=operator).key


def _post(url: str, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 - the test server's http:// URL
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


async def reset(server: LiveOcppServer, token: str, identity: str) -> tuple[int, dict[str, Any]]:
    url = f"{server.http_url}/api/v1/stations/{identity}/commands/reset/"
    return await asyncio.to_thread(_post, url, token, {"hard": False})


async def answered(request: Any) -> Any:
    """The charger's CALL answered within ANSWER_WITHIN (else TimeoutError)."""
    return await asyncio.wait_for(request, ANSWER_WITHIN)


async def keep_talking(chargers: list[Any], seconds: float) -> int:
    """Every charger sends a Heartbeat every 0.2 s for `seconds`; returns the rounds."""
    rounds = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.gather(*(answered(cp.call(heartbeat(cp), suppress=False)) for cp in chargers))
        rounds += 1
        await asyncio.sleep(0.2)
    return rounds


def heartbeat(cp: Any) -> Any:
    return call16.Heartbeat() if cp._ocpp_version == "1.6" else call201.Heartbeat()


def now() -> str:
    return datetime.now(UTC).isoformat()


async def charge_with_drivers_token(cp: Any) -> int:
    """A whole 1.6 session of the driver's token: every event of it goes to the driver
    portal's Celery tasks, whose broker is away."""
    await answered(
        cp.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Charging"))
    )
    started = await answered(
        cp.call(
            call16.StartTransaction(
                connector_id=1, id_tag="DRIVER-TAG", meter_start=1000, timestamp=now()
            )
        )
    )
    sample = {"value": "1500", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    await answered(
        cp.call(
            call16.MeterValues(
                connector_id=1,
                transaction_id=started.transaction_id,
                meter_value=[{"timestamp": now(), "sampledValue": [sample]}],
            )
        )
    )
    await answered(
        cp.call(
            call16.StopTransaction(
                meter_stop=2000, timestamp=now(), transaction_id=started.transaction_id
            )
        )
    )
    return started.transaction_id


def held_channels() -> dict[str, str]:
    return dict(StationConnection.objects.values_list("station__identity", "channel_name"))


async def until_commands_cross(other: LiveOcppServer, token: str, identity: str) -> dict:
    """Redis is back: retry a command through the other process until it is answered."""
    deadline = time.monotonic() + RECOVERY_WITHIN
    while True:
        status, body = await reset(other, token, identity)
        if status == 200 or time.monotonic() > deadline:
            assert status == 200, body
            return body
        await asyncio.sleep(0.5)


async def queued_tasks(redis_server: PrivateRedis) -> int:
    """Tasks in Celery's queue, once the servers' outboxes have published them (they try
    again after a pause of at most MAX_PAUSE)."""
    client = redis.Redis(port=redis_server.port)
    deadline = time.monotonic() + RECOVERY_WITHIN
    try:
        while (count := client.llen("celery")) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        return count
    finally:
        client.close()


def assert_failed_cleanly(status: int, body: dict[str, Any]) -> None:
    assert status == 503, body
    assert UNREACHABLE in body["detail"]
    assert body["command"]["state"] == "failed"
    stored = Command.objects.get(pk=body["command"]["id"])
    assert stored.state == Command.State.FAILED
    assert stored.finished_at is not None
    assert UNREACHABLE in stored.error_description


async def test_stations_are_served_through_a_redis_outage(servers, redis_server, token, driver):
    holder, other = servers
    for identity in ("CP-R16", "CP-R201", "CP-RQUIET", "CP-RLATE"):
        StationFactory(identity=identity)
    async with contextlib.AsyncExitStack() as stack:
        cp16 = await stack.enter_async_context(booted(holder, "CP-R16", client_class=Charger16))
        cp201 = await stack.enter_async_context(
            booted(holder, "CP-R201", subprotocol="ocpp2.0.1", client_class=Charger201)
        )
        quiet = await stack.enter_async_context(booted(holder, "CP-RQUIET"))
        before = held_channels()
        status, body = await reset(other, token, "CP-R16")
        assert status == 200, body  # commands cross between the processes through Redis

        redis_server.stop()
        rounds = await keep_talking([cp16, cp201, quiet], OUTAGE_SECONDS)
        await answered(
            cp201.call(
                call201.StatusNotification(
                    timestamp=now(), connector_status="Occupied", evse_id=1, connector_id=1
                )
            )
        )
        transaction_id = await charge_with_drivers_token(cp16)

        # Reaching the other process needs Redis: the command is closed as failed, at once.
        asked = time.monotonic()
        status, body = await reset(other, token, "CP-R16")
        assert_failed_cleanly(status, body)
        assert time.monotonic() - asked < 5
        # A station of the process that takes the command is reached without Redis.
        status, body = await reset(holder, token, "CP-R201")
        assert status == 200, body
        assert body["command"]["state"] == "answered"

        # Connecting during the outage: admitted and served; a wrong password still refused.
        async with booted(holder, "CP-RLATE") as late:
            await answered(late.call(call16.Heartbeat()))
        with pytest.raises(InvalidStatus) as refused:
            async with raw_socket(holder, "CP-RLATE", password="wrong-password"):
                pass
        assert refused.value.response.status_code == 403
        rounds += await keep_talking([cp16, cp201, quiet], 1)

        redis_server.start()
        answer = await until_commands_cross(other, token, "CP-R201")
        assert answer["command"]["state"] == "answered"
        await keep_talking([cp16, cp201, quiet], 0.5)
        # Nobody reconnected: the same sockets, the same channels.
        assert {k: v for k, v in held_channels().items() if k != "CP-RLATE"} == before
        # The driver portal's tasks of the session waited for the broker (no worker runs).
        assert await queued_tasks(redis_server) >= 3

    stored = Transaction.objects.get(station__identity="CP-R16", transaction_id=transaction_id)
    assert stored.meter_stop_wh == 2000
    heartbeats = MessageLog.objects.filter(
        station_identity="CP-RQUIET", action="Heartbeat", direction=MessageLog.Direction.IN
    )
    assert heartbeats.count() >= rounds


async def test_a_redis_that_answers_nothing_delays_no_answer(servers, redis_server, token, driver):
    holder, other = servers
    for identity in ("CP-F16", "CP-FQUIET"):
        StationFactory(identity=identity)
    async with contextlib.AsyncExitStack() as stack:
        cp16 = await stack.enter_async_context(booted(holder, "CP-F16", client_class=Charger16))
        quiet = await stack.enter_async_context(booted(holder, "CP-FQUIET"))
        before = held_channels()

        redis_server.pause()
        await keep_talking([cp16, quiet], OUTAGE_SECONDS)
        await charge_with_drivers_token(cp16)
        asked = time.monotonic()
        status, body = await reset(other, token, "CP-F16")
        assert_failed_cleanly(status, body)
        assert time.monotonic() - asked < 5
        status, body = await reset(holder, token, "CP-F16")
        assert status == 200, body
        await keep_talking([cp16, quiet], 1)

        redis_server.resume()
        await until_commands_cross(other, token, "CP-F16")
        await keep_talking([cp16, quiet], 0.5)
        assert held_channels() == before
