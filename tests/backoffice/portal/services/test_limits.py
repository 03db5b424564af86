"""Session limits: set by the driver, enforced by a remote stop (or, on 2.1, by the station)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v21 import call as call21

from backoffice.audit.models import AuditEvent
from backoffice.lib.ocpp_time import format_ocpp_datetime
from backoffice.portal import tasks
from backoffice.portal.models import DriverSession, Notification
from backoffice.portal.services import limits
from stations.models import Command, Transaction
from tests.ocpp_client import booted, eventually, in_thread

pytestmark = pytest.mark.asyncio


class Charger16(Client16):
    """A 1.6 charger that accepts remote stops and remembers them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stops: list[int] = []

    @on("RemoteStopTransaction")
    async def on_remote_stop(self, transaction_id):
        self.stops.append(transaction_id)
        return result16.RemoteStopTransaction(status="Accepted")


def _register(value: int, timestamp: str) -> list[dict]:
    return [
        {
            "timestamp": timestamp,
            "sampledValue": [
                {"value": str(value), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
            ],
        }
    ]


def _ago(minutes: float) -> str:
    return format_ocpp_datetime(timezone.now() - timedelta(minutes=minutes))


async def _start16(cp, *, id_tag="DRIVER-TAG", minutes_ago: float = 1, meter_start=1000):
    return await cp.call(
        call16.StartTransaction(
            connector_id=1, id_tag=id_tag, meter_start=meter_start, timestamp=_ago(minutes_ago)
        )
    )


async def test_an_energy_limit_stops_the_session_at_a_real_16_charger(server, station, driver):
    async with booted(server, station.identity, client_class=Charger16) as cp:
        started = await _start16(cp)
        tx = Transaction.objects.get(station=station, transaction_id=str(started.transaction_id))
        assert await eventually(lambda: DriverSession.objects.filter(transaction=tx).exists())
        session = await in_thread(
            limits.set_limits, user=driver, transaction_pk=tx.pk, energy_wh=5000
        )
        assert session.limit_energy_wh == D(5000)

        await cp.call(
            call16.MeterValues(
                connector_id=1,
                transaction_id=started.transaction_id,
                meter_value=_register(4000, _ago(0.5)),
            )
        )
        assert cp.stops == []  # 3 kWh of 5: nothing yet
        await cp.call(
            call16.MeterValues(
                connector_id=1,
                transaction_id=started.transaction_id,
                meter_value=_register(6100, _ago(0)),
            )
        )
        assert await eventually(lambda: cp.stops == [started.transaction_id])

    session.refresh_from_db()
    assert session.limit_reached == DriverSession.LimitReason.ENERGY
    assert session.limit_reached_at is not None
    stop = Command.objects.get(pk=session.stop_command_id)
    assert (stop.action, stop.payload) == (
        "RemoteStopTransaction",
        {"transactionId": started.transaction_id},
    )
    assert Notification.objects.filter(
        user=driver, kind=Notification.Kind.LIMIT_REACHED, driver_session=session
    ).exists()
    assert AuditEvent.objects.filter(action="portal.session.limits", actor=driver).exists()


async def test_a_time_limit_is_enforced_by_the_periodic_task(server, station, driver):
    async with booted(server, station.identity, client_class=Charger16) as cp:
        started = await _start16(cp, minutes_ago=10)
        tx = Transaction.objects.get(station=station, transaction_id=str(started.transaction_id))
        assert await eventually(lambda: DriverSession.objects.filter(transaction=tx).exists())
        # Set directly: the service refuses a limit that has already passed.
        DriverSession.objects.filter(transaction=tx).update(limit_minutes=5)

        await asyncio.to_thread(tasks.check_sessions.delay)
        assert await eventually(lambda: cp.stops == [started.transaction_id])
        # Once: the next run leaves a stop just sent alone.
        await asyncio.to_thread(tasks.check_sessions.delay)
    session = DriverSession.objects.get(transaction=tx)
    assert session.limit_reached == DriverSession.LimitReason.DURATION
    assert cp.stops == [started.transaction_id]


async def test_a_21_station_is_sent_the_limits_in_its_transaction_event_response(
    server, station, driver
):
    # What the portal makes before the remote start (matched by station, token and EVSE).
    pending = DriverSession.objects.create(
        user=driver,
        station=station,
        evse_id=1,
        connector_id=1,
        id_tag="DRIVER-TAG",
        limit_energy_wh=D(5000),
        limit_minutes=30,
    )

    def event(event_type, seq_no, **extra):
        return call21.TransactionEvent(
            event_type=event_type,
            timestamp=_ago(0),
            trigger_reason="Authorized" if seq_no == 0 else "MeterValuePeriodic",
            seq_no=seq_no,
            transaction_info={"transaction_id": "TX-LIMIT", "charging_state": "Charging"},
            **extra,
        )

    async with booted(server, station.identity, subprotocol="ocpp2.1") as cp:
        started = await cp.call(
            event(
                "Started",
                0,
                id_token={"id_token": "DRIVER-TAG", "type": "ISO14443"},
                evse={"id": 1, "connector_id": 1},
            )
        )
        unchanged = await cp.call(event("Updated", 1))
        tx = Transaction.objects.get(station=station, transaction_id="TX-LIMIT")
        await in_thread(limits.set_limits, user=driver, transaction_pk=tx.pk, energy_wh=8000)
        changed = await cp.call(event("Updated", 2))
        # The station stops by itself at the limit it was sent.
        ended = await cp.call(
            call21.TransactionEvent(
                event_type="Ended",
                timestamp=_ago(0),
                trigger_reason="EnergyLimitReached",
                seq_no=3,
                transaction_info={
                    "transaction_id": "TX-LIMIT",
                    "stopped_reason": "EnergyLimitReached",
                },
            )
        )

    assert started.transaction_limit == {"max_energy": 5000, "max_time": 1800}
    assert unchanged.transaction_limit is None
    assert changed.transaction_limit == {"max_energy": 8000}
    pending.refresh_from_db()
    assert pending.transaction_id == tx.pk
    assert pending.limit_sent == {"energy_wh": 8000}
    assert ended.transaction_limit is None
    assert pending.limit_reached == DriverSession.LimitReason.ENERGY
    assert Notification.objects.filter(
        driver_session=pending, kind=Notification.Kind.LIMIT_REACHED
    ).exists()


async def test_a_201_station_is_never_sent_a_transaction_limit(server, station, driver):
    from ocpp.v201 import call as call201

    async with booted(server, station.identity, subprotocol="ocpp2.0.1") as cp:
        started = await cp.call(
            call201.TransactionEvent(
                event_type="Started",
                timestamp=_ago(0),
                trigger_reason="Authorized",
                seq_no=0,
                transaction_info={"transaction_id": "TX-201"},
                id_token={"id_token": "DRIVER-TAG", "type": "ISO14443"},
                evse={"id": 1, "connector_id": 1},
            )
        )
        tx = Transaction.objects.get(station=station, transaction_id="TX-201")
        await eventually(lambda: DriverSession.objects.filter(transaction=tx).exists())
        await in_thread(limits.set_limits, user=driver, transaction_pk=tx.pk, minutes=60)
        updated = await cp.call(
            call201.TransactionEvent(
                event_type="Updated",
                timestamp=_ago(0),
                trigger_reason="MeterValuePeriodic",
                seq_no=1,
                transaction_info={"transaction_id": "TX-201"},
            )
        )
    assert started.id_token_info["status"] == "Accepted"
    assert updated.id_token_info is None
    assert DriverSession.objects.get(transaction=tx).limit_sent is None
