"""The command bus over real sockets: answered, CALLERROR, timeout, offline, wrong answers,
two processes."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.conf import settings
from django.db import connection
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result

from backoffice.audit.models import AuditEvent
from stations.exceptions import CommandInvalid, CommandTimeout, StationNotConnected
from stations.models import Command, MessageLog, StationConnection
from stations.services.commands import bus as commands
from stations.services.commands.bus import Caller
from tests.ocpp_client import booted, eventually, exchange, raw_socket
from tests.server import start_server

pytestmark = pytest.mark.asyncio


BOOT16 = {"chargePointVendor": "A", "chargePointModel": "B"}


class ResettingCharger(Client16):
    delay = 0.0

    @on("Reset")
    async def on_reset(self, type):
        await asyncio.sleep(self.delay)
        return call_result.Reset(status="Accepted")


def connected(server, identity, charger_class=ResettingCharger):
    return booted(server, identity, client_class=charger_class)


async def send(**kwargs) -> Command:
    # commands.send is for sync callers (views, API, tasks): run it in a thread as they would.
    return await asyncio.to_thread(commands.send, **kwargs)


async def test_a_command_is_answered_and_recorded(server, station):
    async with connected(server, station.identity):
        command = await send(
            station_id=station.pk,
            action="Reset",
            payload={"type": "Soft"},
            caller=Caller(label="test"),
        )
    assert command.state == Command.State.ANSWERED
    assert command.result_status == "Accepted"
    assert command.response == {"status": "Accepted"}
    event = AuditEvent.objects.get(action="stations.command.Reset")
    assert (event.actor_label, event.target_id) == ("test", str(station.pk))
    assert event.data == {"command_id": command.pk, "payload": {"type": "Soft"}}
    assert command.sent_at and command.finished_at and command.message_id
    # The message log is written in batches, after the answer.
    assert await eventually(
        MessageLog.objects.filter(message_id=command.message_id, direction="out").exists
    )


async def test_a_callerror_from_the_station_is_recorded(server, station):
    async with connected(server, station.identity):
        # The client has no handler for UnlockConnector: it answers NotImplemented.
        command = await send(
            station_id=station.pk, action="UnlockConnector", payload={"connectorId": 1}
        )
    assert command.state == Command.State.CALL_ERROR
    assert command.error_code == "NotImplemented"


async def test_a_station_that_does_not_answer_times_out(server, station):
    class SlowCharger(ResettingCharger):
        delay = 8.0  # longer than the server's OCPP_RESPONSE_TIMEOUT (5 s in tests)

    async with connected(server, station.identity, SlowCharger):
        with pytest.raises(CommandTimeout):
            await send(station_id=station.pk, action="Reset", payload={"type": "Hard"})
    assert Command.objects.get(station=station).state == Command.State.TIMED_OUT


async def test_a_caller_can_give_the_station_less_time_than_the_default(server, station):
    class SlowCharger(ResettingCharger):
        delay = 3.0  # within the server's 5 s default, beyond the caller's 1 s

    async with connected(server, station.identity, SlowCharger):
        started = asyncio.get_running_loop().time()
        with pytest.raises(CommandTimeout):
            await send(
                station_id=station.pk,
                action="Reset",
                payload={"type": "Hard"},
                caller=Caller(timeout=1),
            )
        waited = asyncio.get_running_loop().time() - started
    command = Command.objects.get(station=station)
    assert command.state == Command.State.TIMED_OUT
    assert command.timeout_seconds == 1
    assert waited < 4


async def test_an_offline_station_answers_at_once(server, station):
    started = asyncio.get_running_loop().time()
    with pytest.raises(StationNotConnected):
        await send(station_id=station.pk, action="Reset", payload={"type": "Soft"})
    assert asyncio.get_running_loop().time() - started < 2
    assert Command.objects.get(station=station).state == Command.State.OFFLINE


async def test_a_payload_that_breaks_the_schema_is_not_sent(server, station):
    with pytest.raises(CommandInvalid) as invalid:
        await send(station_id=station.pk, action="Reset", payload={"type": "Sideways"})
    assert invalid.value.field == "type"
    assert not Command.objects.exists()


async def test_concurrent_commands_queue_one_at_a_time(server, station):
    async with connected(server, station.identity):
        results = await asyncio.gather(
            *(
                send(station_id=station.pk, action="Reset", payload={"type": "Soft"})
                for _ in range(3)
            )
        )
    assert [c.state for c in results] == [Command.State.ANSWERED] * 3
    ids = [c.message_id for c in results]

    def directions() -> list[str]:
        logged = MessageLog.objects.filter(message_id__in=ids).order_by("created_at", "id")
        return list(logged.values_list("direction", flat=True))

    await eventually(lambda: len(directions()) == 6)  # the log is written in batches
    # Each CALL went out only after the one before it was answered.
    assert directions() == ["out", "in"] * 3


async def test_a_command_reaches_a_station_held_by_another_process(server, station):
    other = start_server(
        database_name=connection.settings_dict["NAME"], channel_prefix=settings.CHANNEL_PREFIX
    )
    try:
        async with connected(other, station.identity):
            holder = StationConnection.objects.get(station=station).channel_name
            command = await send(station_id=station.pk, action="Reset", payload={"type": "Soft"})
    finally:
        other.stop()
    assert command.state == Command.State.ANSWERED
    assert holder  # held by the second process, reached through the Redis channel layer


async def test_a_station_that_reconnects_to_another_process_keeps_receiving_commands(
    server, station
):
    other = start_server(
        database_name=connection.settings_dict["NAME"], channel_prefix=settings.CHANNEL_PREFIX
    )
    try:
        async with connected(other, station.identity):
            first = await send(station_id=station.pk, action="Reset", payload={"type": "Soft"})
        async with connected(server, station.identity):
            second = await send(station_id=station.pk, action="Reset", payload={"type": "Hard"})
    finally:
        other.stop()
    assert (first.state, second.state) == (Command.State.ANSWERED, Command.State.ANSWERED)
    assert second.payload == {"type": "Hard"}


async def test_an_answer_with_the_wrong_message_id_does_not_block_the_station(server, station):
    async with raw_socket(server, station.identity) as ws:
        boot = await exchange(ws, [2, "b1", "BootNotification", BOOT16])
        assert boot[2]["status"] == "Accepted"

        lost = asyncio.create_task(
            send(
                station_id=station.pk,
                action="Reset",
                payload={"type": "Soft"},
                caller=Caller(timeout=1),
            )
        )
        call = json.loads(await asyncio.wait_for(ws.recv(), 10))
        await ws.send(json.dumps([3, f"not-{call[1]}", {"status": "Accepted"}]))
        with pytest.raises(CommandTimeout):
            await lost

        answered = asyncio.create_task(
            send(station_id=station.pk, action="Reset", payload={"type": "Hard"})
        )
        call = json.loads(await asyncio.wait_for(ws.recv(), 10))
        await ws.send(json.dumps([3, call[1], {"status": "Accepted"}]))
        command = await answered
    assert call[3] == {"type": "Hard"}
    assert command.state == Command.State.ANSWERED
