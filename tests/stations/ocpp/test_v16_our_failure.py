"""Our own failure on a transaction message closes the socket; the charger's retry is kept."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from django.db import connection

from stations.models import MeterValue, Transaction
from tests.ocpp_client import exchange, raw_socket

pytestmark = pytest.mark.asyncio


def meter_values(message_id: str, transaction_id: int) -> list:
    sample = {"value": "1500", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    return [
        2,
        message_id,
        "MeterValues",
        {
            "connectorId": 1,
            "transactionId": transaction_id,
            "meterValue": [{"timestamp": "2026-01-05T10:05:00Z", "sampledValue": [sample]}],
        },
    ]


def rename_table(old: str, new: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {old} RENAME TO {new}")


async def test_database_failure_closes_the_socket_instead_of_a_callerror(server, station, id_token):
    boot = [2, "b1", "BootNotification", {"chargePointVendor": "A", "chargePointModel": "B"}]
    start = [
        2,
        "s1",
        "StartTransaction",
        {
            "connectorId": 1,
            "idTag": "TAG-ACCEPTED",
            "meterStart": 0,
            "timestamp": "2026-01-05T10:00:00Z",
        },
    ]
    async with raw_socket(server, station.identity) as ws:
        await exchange(ws, boot)
        tx_id = (await exchange(ws, start))[2]["transactionId"]
        # The meter value table vanishes: the server's INSERT fails (our failure).
        rename_table("stations_metervalue", "stations_metervalue_away")
        try:
            await ws.send(json.dumps(meter_values("m1", tx_id)))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
        finally:
            rename_table("stations_metervalue_away", "stations_metervalue")
    assert closed.value.rcvd.code == 1011
    # The charger kept the message and resends it after reconnecting: it is stored once.
    async with raw_socket(server, station.identity) as ws:
        reply = await exchange(ws, meter_values("m2", tx_id))
    assert reply == [3, "m2", {}]
    tx = Transaction.objects.get(station=station)
    assert MeterValue.objects.filter(transaction=tx).count() == 1
