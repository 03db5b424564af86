"""A charger's socket outlives the channel layer's blocking reads (Redis in tests)."""

from __future__ import annotations

import asyncio

import pytest
from ocpp.v16 import call

from stations.models import StationConnection
from tests.ocpp_client import charger16

pytestmark = pytest.mark.asyncio


async def test_an_idle_station_stays_connected_past_the_redis_read_timeout(server, station):
    async with charger16(server, station.identity) as cp:
        await cp.call(call.BootNotification(charge_point_vendor="A", charge_point_model="B"))
        # Longer than channels-redis's 5 s blocking pop and redis-py's default read timeout.
        await asyncio.sleep(12)
        result = await cp.call(call.Heartbeat())
        assert result.current_time
        assert StationConnection.objects.filter(station=station).exists()
    assert "Timeout reading" not in server.log_text()
