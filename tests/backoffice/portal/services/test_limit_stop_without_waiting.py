"""A reached limit sends its remote stop without waiting for the station's answer: the meter
value that reached it is answered at once (in the test server Celery runs eagerly, inside the
meter writer's commit), and the answer is still recorded on the command by the process holding
the socket."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16

from backoffice.lib.ocpp_time import format_ocpp_datetime
from backoffice.portal.models import DriverSession
from backoffice.portal.services import limits
from stations.models import Command, Transaction
from tests.ocpp_client import booted, eventually, in_thread

pytestmark = pytest.mark.asyncio

ANSWER_DELAY = 3.0


class SlowStopCharger16(Client16):
    """A 1.6 charger that answers a remote stop after ANSWER_DELAY seconds, and keeps reading
    (and answering) other frames meanwhile, as a real charger does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stops: list[int] = []
        self._answering: set[asyncio.Task] = set()

    async def route_message(self, raw_msg):
        if '"RemoteStopTransaction"' in raw_msg:
            task = asyncio.create_task(super().route_message(raw_msg))
            self._answering.add(task)
            task.add_done_callback(self._answering.discard)
            return
        await super().route_message(raw_msg)

    @on("RemoteStopTransaction")
    async def on_remote_stop(self, transaction_id):
        self.stops.append(transaction_id)
        await asyncio.sleep(ANSWER_DELAY)
        return result16.RemoteStopTransaction(status="Accepted")


def _ago(minutes: float) -> str:
    return format_ocpp_datetime(timezone.now() - timedelta(minutes=minutes))


def _register(value: int) -> list[dict]:
    sample = {"value": str(value), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    return [{"timestamp": _ago(0), "sampledValue": [sample]}]


async def _watched_session(cp, station) -> tuple[int, Transaction]:
    started = await cp.call(
        call16.StartTransaction(
            connector_id=1, id_tag="DRIVER-TAG", meter_start=1000, timestamp=_ago(1)
        )
    )
    tx = Transaction.objects.get(station=station, transaction_id=str(started.transaction_id))
    assert await eventually(lambda: DriverSession.objects.filter(transaction=tx).exists())
    return started.transaction_id, tx


async def test_the_meter_value_reaching_a_limit_is_answered_before_the_stop_is(
    server, station, driver
):
    async with booted(server, station.identity, client_class=SlowStopCharger16) as cp:
        transaction_id, tx = await _watched_session(cp, station)
        await in_thread(limits.set_limits, user=driver, transaction_pk=tx.pk, energy_wh=5000)

        began = time.monotonic()
        await cp.call(
            call16.MeterValues(
                connector_id=1, transaction_id=transaction_id, meter_value=_register(6100)
            )
        )
        answered_in = time.monotonic() - began

        # The stop went out from the meter value's commit, and is not answered yet.
        session = DriverSession.objects.select_related("stop_command").get(transaction=tx)
        assert session.limit_reached == DriverSession.LimitReason.ENERGY
        assert session.stop_command is not None
        assert not session.stop_command.finished
        assert answered_in < ANSWER_DELAY / 2, answered_in

        # The charger gets it, and its late answer lands on the command's row.
        assert await eventually(lambda: cp.stops == [transaction_id])
        stop = await eventually(
            lambda: Command.objects.filter(
                pk=session.stop_command_id, state=Command.State.ANSWERED
            ).first(),
            timeout=ANSWER_DELAY + 5,
        )
    assert stop is not None
    assert (stop.action, stop.payload) == (
        "RemoteStopTransaction",
        {"transactionId": transaction_id},
    )
    assert stop.result_status == "Accepted"
    assert stop.response == {"status": "Accepted"}


async def test_stop_for_limit_returns_before_the_station_answers(server, station, driver):
    async with booted(server, station.identity, client_class=SlowStopCharger16) as cp:
        transaction_id, tx = await _watched_session(cp, station)
        session = DriverSession.objects.get(transaction=tx)

        began = time.monotonic()
        command = await in_thread(limits.stop_for_limit, driver_session_pk=session.pk)
        returned_in = time.monotonic() - began

        assert returned_in < 1, returned_in
        assert command.state in (Command.State.QUEUED, Command.State.SENT)
        assert DriverSession.objects.get(pk=session.pk).stop_command_id == command.pk
        answered = await eventually(
            lambda: Command.objects.filter(pk=command.pk, state=Command.State.ANSWERED).first(),
            timeout=ANSWER_DELAY + 5,
        )
    assert answered is not None
    assert answered.result_status == "Accepted"
    assert cp.stops == [transaction_id]


async def test_a_stop_never_answered_is_closed_before_the_next_is_sent(server, station, driver):
    async with booted(server, station.identity, client_class=SlowStopCharger16) as cp:
        _transaction_id, tx = await _watched_session(cp, station)
        session = DriverSession.objects.get(transaction=tx)
        # A stop whose wake-up was lost: queued, never claimed by the holding process.
        lost = Command.objects.create(
            station=station, action="RemoteStopTransaction", payload={"transactionId": 1}
        )
        DriverSession.objects.filter(pk=session.pk).update(stop_command=lost)

        again = await in_thread(limits.stop_for_limit, driver_session_pk=session.pk)

        lost.refresh_from_db()
        assert lost.state == Command.State.TIMED_OUT
        assert again.pk != lost.pk
        assert DriverSession.objects.get(pk=session.pk).stop_command_id == again.pk
        assert await eventually(
            lambda: Command.objects.filter(pk=again.pk, state=Command.State.ANSWERED).exists(),
            timeout=ANSWER_DELAY + 5,
        )
