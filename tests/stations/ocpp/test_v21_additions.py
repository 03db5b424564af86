"""The charger-initiated messages new in OCPP 2.1: answered schema-valid and kept.

Nested payloads are written as they go on the wire (camelCase).
"""

from __future__ import annotations

import contextlib

import pytest
from ocpp.v21 import call

from stations.models import BatterySwapEvent, DerControlReport, PeriodicEventStream, StationReport
from tests.ocpp_client import charger21, eventually

pytestmark = pytest.mark.asyncio

T0 = "2026-01-05T10:00:00Z"
DRIVER = {"idToken": "TAG-ACCEPTED", "type": "ISO14443"}


@contextlib.asynccontextmanager
async def booted(server, station):
    """A 2.1 charger, connected and accepted."""
    async with charger21(server, station.identity) as cp:
        await cp.call(
            call.BootNotification(
                charging_station={"model": "Swap", "vendor_name": "V"}, reason="PowerUp"
            )
        )
        yield cp


def report(station, action: str) -> StationReport:
    return StationReport.objects.get(station=station, action=action)


def battery(slot: int, serial: str, soc: float) -> dict:
    return {"evseId": slot, "serialNumber": serial, "soC": soc, "soH": 97.5}


async def test_a_battery_swap_is_recorded_against_station_and_token(server, station, id_token):
    swap_in = call.BatterySwap(
        event_type="BatteryIn",
        request_id=301,
        id_token=DRIVER,
        battery_data=[battery(3, "BAT-OLD-1", 12.0)],
    )
    async with booted(server, station) as cp:
        await cp.call(swap_in)
        await cp.call(swap_in)  # resent after a lost answer: recorded once
        await cp.call(
            call.BatterySwap(
                event_type="BatteryOut",
                request_id=301,
                id_token=DRIVER,
                battery_data=[battery(5, "BAT-NEW-9", 96.0)],
            )
        )
    events = list(BatterySwapEvent.objects.filter(station=station).order_by("pk"))
    assert [(e.event_type, e.request_id) for e in events] == [
        ("BatteryIn", 301),
        ("BatteryOut", 301),
    ]
    assert all(e.id_token == id_token and e.id_tag == "TAG-ACCEPTED" for e in events)
    assert events[0].battery_data == [
        {"evse_id": 3, "serial_number": "BAT-OLD-1", "soc": 12.0, "soh": 97.5}
    ]


async def test_a_swap_by_an_unknown_token_is_still_recorded(server, station):
    async with booted(server, station) as cp:
        await cp.call(
            call.BatterySwap(
                event_type="BatteryOutTimeout",
                request_id=7,
                id_token={"idToken": "NOT-KNOWN", "type": "ISO14443"},
                battery_data=[battery(1, "BAT-1", 80.0)],
            )
        )
    event = BatterySwapEvent.objects.get(station=station)
    assert (event.id_tag, event.id_token, event.event_type) == (
        "NOT-KNOWN",
        None,
        "BatteryOutTimeout",
    )


async def test_der_alarms_start_stop_and_reports_are_kept(server, station):
    async with booted(server, station) as cp:
        await cp.call(
            call.NotifyDERAlarm(
                control_type="HVMustTrip", timestamp=T0, grid_event_fault="OverVoltage"
            )
        )
        await cp.call(
            call.NotifyDERStartStop(
                control_id="ctl-1", started=True, timestamp=T0, superseded_ids=["ctl-0"]
            )
        )
        await cp.call(
            call.ReportDERControl(
                request_id=55,
                limit_max_discharge=[
                    {
                        "id": "lmd-1",
                        "isDefault": True,
                        "isSuperseded": False,
                        "limitMaxDischarge": {"priority": 1, "pctMaxDischargePower": 80.0},
                    }
                ],
            )
        )
    alarm = report(station, "NotifyDERAlarm").payload
    assert (alarm["control_type"], alarm["grid_event_fault"]) == ("HVMustTrip", "OverVoltage")
    start_stop = report(station, "NotifyDERStartStop").payload
    assert start_stop["control_id"] == "ctl-1" and start_stop["superseded_ids"] == ["ctl-0"]
    # A report nobody here asked for is still kept, whole, under its request id.
    der = DerControlReport.objects.get(station=station, request_id=55)
    assert (der.command, der.complete) == (None, True)
    discharge = der.controls[0]
    assert (discharge["kind"], discharge["id"]) == ("limit_max_discharge", "lmd-1")
    assert discharge["limit_max_discharge"]["pct_max_discharge_power"] == 80.0


async def test_priority_charging_is_kept(server, station):
    async with booted(server, station) as cp:
        await cp.call(call.NotifyPriorityCharging(transaction_id="TX-9", activated=True))
    assert report(station, "NotifyPriorityCharging").payload == {
        "transaction_id": "TX-9",
        "activated": True,
    }


async def test_a_dynamic_schedule_pull_is_rejected_as_an_unknown_profile(server, station):
    async with booted(server, station) as cp:
        answer = await cp.call(call.PullDynamicScheduleUpdate(charging_profile_id=17))
    assert answer.status == "Rejected"
    assert answer.status_info["reason_code"] == "InvalidProfile"
    assert answer.schedule_update is None
    assert report(station, "PullDynamicScheduleUpdate").payload == {"charging_profile_id": 17}


async def test_iso15118_20_charging_needs_get_no_charging_profile(server, station):
    needs = {
        "requestedEnergyTransfer": "DC_BPT",
        "controlMode": "ScheduledControl",
        "v2xChargingParameters": {"maxChargePower": 50000, "maxDischargePower": 20000},
    }
    async with booted(server, station) as cp:
        answer = await cp.call(
            call.NotifyEVChargingNeeds(evse_id=2, charging_needs=needs, timestamp=T0)
        )
    assert answer.status == "NoChargingProfile"
    kept = report(station, "NotifyEVChargingNeeds")
    assert kept.evse_id == 2 and kept.payload["timestamp"] == T0


async def test_settlement_is_kept_and_vat_number_is_not_validated(server, station):
    async with booted(server, station) as cp:
        settled = await cp.call(
            call.NotifySettlement(
                psp_ref="PSP-123",
                status="Settled",
                settlement_amount=23.45,
                settlement_time=T0,
                transaction_id="TX-1",
                vat_number="NL123456789B01",
            )
        )
        vat = await cp.call(call.VatNumberValidation(vat_number="NL123456789B01", evse_id=1))
    assert settled.receipt_url is None and settled.receipt_id is None
    settlement = report(station, "NotifySettlement").payload
    assert (settlement["psp_ref"], settlement["settlement_amount"]) == ("PSP-123", 23.45)
    assert (vat.status, vat.vat_number, vat.evse_id) == ("Rejected", "NL123456789B01", 1)
    assert vat.status_info["reason_code"] == "NotEnabled"
    assert report(station, "VatNumberValidation").evse_id == 1


async def test_certificate_chain_status_fails_for_each_certificate(server, station):
    requests = [
        {
            "certificateHashData": {
                "hashAlgorithm": "SHA256",
                "issuerNameHash": "12345abcde",
                "issuerKeyHash": "abcde1234",
                "serialNumber": "123456789",
            },
            "source": source,
            "urls": [url],
        }
        for source, url in [
            ("OCSP", "http://ocsp.example.test"),
            ("CRL", "http://crl.example.test/ca.crl"),
        ]
    ]
    async with booted(server, station) as cp:
        answer = await cp.call(call.GetCertificateChainStatus(certificate_status_requests=requests))
    assert [(s["source"], s["status"]) for s in answer.certificate_status] == [
        ("OCSP", "Failed"),
        ("CRL", "Failed"),
    ]
    assert answer.certificate_status[0]["certificate_hash_data"]["serial_number"] == "123456789"
    assert all(s["next_update"] for s in answer.certificate_status)
    kept = report(station, "GetCertificateChainStatus").payload
    assert len(kept["certificate_status_requests"]) == 2


async def test_periodic_event_streams_are_accepted_and_kept(server, station):
    async with booted(server, station) as cp:
        opened = await cp.call(
            call.OpenPeriodicEventStream(
                constant_stream_data={
                    "id": 4,
                    "variableMonitoringId": 12,
                    "params": {"interval": 60, "values": 60},
                }
            )
        )
        stream = await eventually(lambda: PeriodicEventStream.objects.filter(stream_id=4).first())
        open_then = (stream.is_open, stream.variable_monitoring_id, stream.interval, stream.values)
        await cp.call(call.ClosePeriodicEventStream(id=4))
    assert opened.status == "Accepted"
    assert open_then == (True, 12, 60, 60)
    assert not PeriodicEventStream.objects.get(station=station, stream_id=4).is_open
