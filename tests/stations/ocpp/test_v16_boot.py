from __future__ import annotations

import pytest
from ocpp.v16 import call

from stations.models import MessageLog, Station
from tests.factories.stations import StationFactory
from tests.ocpp_client import charger16, eventually

pytestmark = pytest.mark.asyncio


async def test_it_accepts_boot_and_keeps_station_identity(server, station):
    async with charger16(server, station.identity) as cp:
        result = await cp.call(
            call.BootNotification(
                charge_point_vendor="ACME",
                charge_point_model="Fast-1",
                charge_point_serial_number="SN-1",
                charge_box_serial_number="BOX-1",
                firmware_version="1.2.3",
                iccid="8931",
                imsi="2620",
                meter_type="EM-1",
                meter_serial_number="M-1",
            )
        )
    assert result.status == "Accepted"
    assert result.interval == 300
    station.refresh_from_db()
    assert (station.vendor, station.model, station.serial_number) == ("ACME", "Fast-1", "SN-1")
    assert (station.charge_box_serial_number, station.firmware_version) == ("BOX-1", "1.2.3")
    assert (station.iccid, station.imsi) == ("8931", "2620")
    assert (station.meter_type, station.meter_serial_number) == ("EM-1", "M-1")
    assert station.ocpp_version == "1.6"
    assert station.last_boot_at is not None


@pytest.mark.parametrize("registration", ["Pending", "Rejected"])
async def test_boot_answer_follows_registration_status(server, transactional_db, registration):
    station = StationFactory(registration_status=registration)
    async with charger16(server, station.identity) as cp:
        result = await cp.call(
            call.BootNotification(charge_point_vendor="A", charge_point_model="B")
        )
    assert result.status == registration
    assert result.interval == 60


async def test_heartbeat_answers_current_time_and_logs_both_frames(server, station):
    async with charger16(server, station.identity) as cp:
        await cp.call(call.BootNotification(charge_point_vendor="A", charge_point_model="B"))
        result = await cp.call(call.Heartbeat())
    assert result.current_time.endswith("Z")
    logged = await eventually(
        lambda: list(
            MessageLog.objects.filter(station_identity=station.identity, action="Heartbeat")
            .order_by("id")
            .values_list("direction", "message_type")
        )
    )
    assert logged == [("in", 2), ("out", 3)]


async def test_last_seen_is_written_without_a_write_per_heartbeat(server, station):
    async with charger16(server, station.identity) as cp:
        await cp.call(call.BootNotification(charge_point_vendor="A", charge_point_model="B"))
        await cp.call(call.Heartbeat())
    # Written at disconnect (or by the registry beat), not by the Heartbeat handler.
    seen = await eventually(
        lambda: Station.objects.filter(pk=station.pk, last_seen_at__isnull=False).exists()
    )
    assert seen
