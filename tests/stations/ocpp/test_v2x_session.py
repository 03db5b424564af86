"""A whole 2.0.1 and 2.1 session over a real socket: boot, status, authorize, transaction."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from ocpp.v21 import call as call21
from ocpp.v201 import call as call201

from stations.models import Connector, MeterValue, Station, Transaction, TransactionEvent
from stations.services.charging.transaction_events import missing_seq_nos
from tests.ocpp_client import charger21, charger201, eventually, raw_socket

pytestmark = pytest.mark.asyncio

T0, T1, T2 = "2026-01-05T10:00:00Z", "2026-01-05T10:05:00Z", "2026-01-05T10:30:00Z"
VERSIONS = [(charger201, call201, "2.0.1"), (charger21, call21, "2.1")]


def energy(timestamp, wh, context="Sample.Periodic", measurand="Energy.Active.Import.Register"):
    return {
        "timestamp": timestamp,
        "sampled_value": [{"value": wh, "measurand": measurand, "context": context}],
    }


def event(call, event_type, seq_no, timestamp, trigger, tx_id="TX-1", **extra):
    return call.TransactionEvent(
        event_type=event_type,
        timestamp=timestamp,
        trigger_reason=trigger,
        seq_no=seq_no,
        transaction_info={"transaction_id": tx_id, **extra.pop("info", {})},
        **extra,
    )


@pytest.mark.parametrize(("connect", "call", "version"), VERSIONS)
async def test_a_full_session(server, station, id_token, connect, call, version):
    async with connect(server, station.identity) as cp:
        boot = await cp.call(
            call.BootNotification(
                charging_station={"model": "M", "vendor_name": "V", "firmware_version": "9"},
                reason="PowerUp",
            )
        )
        await cp.call(
            call.StatusNotification(
                timestamp=T0, connector_status="Occupied", evse_id=1, connector_id=1
            )
        )
        auth = await cp.call(
            call.Authorize(id_token={"id_token": "TAG-ACCEPTED", "type": "ISO14443"})
        )
        started = await cp.call(
            event(
                call,
                "Started",
                0,
                T0,
                "Authorized",
                info={"charging_state": "Charging"},
                evse={"id": 1, "connector_id": 1},
                id_token={"id_token": "TAG-ACCEPTED", "type": "ISO14443"},
                meter_value=[energy(T0, 1000, "Transaction.Begin")],
            )
        )
        await cp.call(
            event(call, "Updated", 1, T1, "MeterValuePeriodic", meter_value=[energy(T1, 4000)])
        )
        await cp.call(
            event(
                call,
                "Ended",
                2,
                T2,
                "EVCommunicationLost",
                info={"stopped_reason": "EVDisconnected", "charging_state": "Idle"},
                meter_value=[energy(T2, 9000, "Transaction.End")],
            )
        )
    assert boot.status == "Accepted"
    assert auth.id_token_info["status"] == "Accepted"
    assert started.id_token_info["status"] == "Accepted"
    station.refresh_from_db()
    assert (station.ocpp_version, station.last_boot_reason, station.firmware_version) == (
        version,
        "PowerUp",
        "9",
    )
    connector = Connector.objects.get(evse__station=station, evse__evse_id=1, connector_id=1)
    assert connector.status == "Occupied"
    tx = Transaction.objects.get(station=station, transaction_id="TX-1")
    assert tx.state == "completed" and tx.stop_reason == "EVDisconnected"
    assert tx.energy_wh == D(8000)
    assert tx.id_tag == "TAG-ACCEPTED" and tx.connector == connector
    assert tx.charging_state == "Idle"
    assert list(tx.events.values_list("seq_no", flat=True)) == [0, 1, 2]
    assert MeterValue.objects.filter(transaction=tx).count() == 3


async def test_replayed_and_out_of_order_events_change_nothing_twice(server, station, id_token):
    async with charger201(server, station.identity) as cp:
        await cp.call(
            call201.BootNotification(
                charging_station={"model": "M", "vendor_name": "V"}, reason="PowerUp"
            )
        )
        ended = event(
            call201,
            "Ended",
            3,
            T2,
            "StopAuthorized",
            offline=True,
            info={"stopped_reason": "Local"},
            meter_value=[energy(T2, 5000, "Transaction.End")],
        )
        await cp.call(ended)  # the end arrives first (offline queue, out of order)
        await cp.call(
            event(
                call201,
                "Started",
                0,
                T0,
                "CablePluggedIn",
                offline=True,
                evse={"id": 2},
                meter_value=[energy(T0, 1000, "Transaction.Begin")],
            )
        )
        # The token arrives in an Updated event; seqNo 1 never arrives (a gap).
        updated = await cp.call(
            event(
                call201,
                "Updated",
                2,
                T1,
                "Authorized",
                id_token={"id_token": "TAG-ACCEPTED", "type": "ISO14443"},
            )
        )
        await cp.call(ended)  # replayed
    assert updated.id_token_info["status"] == "Accepted"
    tx = Transaction.objects.get(station=station)
    assert tx.state == "completed" and tx.stopped_at.isoformat().startswith("2026-01-05T10:30")
    assert tx.started_at.isoformat().startswith("2026-01-05T10:00")
    assert tx.energy_wh == D(4000) and tx.id_tag == "TAG-ACCEPTED"
    assert tx.evse.evse_id == 2
    assert TransactionEvent.objects.filter(transaction=tx).count() == 3
    assert MeterValue.objects.filter(transaction=tx).count() == 2
    assert not any(m.after_stop for m in MeterValue.objects.filter(transaction=tx))
    assert tx.anomalies == []
    assert missing_seq_nos(tx) == [1]


async def test_v2x_discharge_is_recorded_both_ways(server, station):
    async with charger21(server, station.identity) as cp:
        await cp.call(
            call21.BootNotification(
                charging_station={"model": "M", "vendor_name": "V"}, reason="PowerUp"
            )
        )
        for seq, (ts, imported, exported) in enumerate([(T0, 1000, 200), (T2, 3000, 5200)]):
            await cp.call(
                event(
                    call21,
                    "Started" if seq == 0 else "Ended",
                    seq,
                    ts,
                    "ChargingStateChanged",
                    tx_id="V2X-1",
                    evse={"id": 1, "connector_id": 1},
                    meter_value=[
                        {
                            "timestamp": ts,
                            "sampled_value": [
                                {"value": imported, "measurand": "Energy.Active.Import.Register"},
                                {
                                    "value": exported / 1000,
                                    "measurand": "Energy.Active.Export.Register",
                                    "unit_of_measure": {"unit": "kWh"},
                                },
                                {"value": -7400, "measurand": "Power.Active.Import"},
                            ],
                        }
                    ],
                )
            )
    tx = Transaction.objects.get(station=station, transaction_id="V2X-1")
    assert tx.energy_wh == D(2000)
    assert tx.energy_export_wh == D(5000)


async def test_a_station_offering_every_version_gets_the_highest(server, station):
    async with raw_socket(
        server, station.identity, subprotocols=("ocpp1.6", "ocpp2.0.1", "ocpp2.1")
    ) as ws:
        assert ws.subprotocol == "ocpp2.1"
    async with raw_socket(server, station.identity, subprotocols=("ocpp1.6", "ocpp2.0.1")) as ws:
        assert ws.subprotocol == "ocpp2.0.1"
    # Registered when the connection is, so a station that changed version is shown right.
    assert await eventually(
        lambda: Station.objects.filter(pk=station.pk, ocpp_version="2.0.1").exists()
    )
