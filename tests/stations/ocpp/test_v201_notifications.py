"""The charger-initiated 2.0.1 messages that are kept and acknowledged, on 2.0.1 and 2.1.

Every request is answered with a schema-valid CALLRESULT (the client validates it) and what
it carries is stored; features the back office has not configured get the spec's answer.
Nested payloads are written as they go on the wire (camelCase).
"""

from __future__ import annotations

import contextlib

import pytest
from ocpp.v21 import call as call21
from ocpp.v201 import call as call201

from reservations.models import Reservation
from stations.models import (
    ChargingProfile,
    CustomerInformationRequest,
    DisplayMessage,
    SecurityEvent,
    StationJob,
    StationReport,
)
from tests.factories.reservations import ReservationFactory
from tests.ocpp_client import charger21, charger201

pytestmark = pytest.mark.asyncio

VERSIONS = [
    pytest.param(charger201, call201, id="2.0.1"),
    pytest.param(charger21, call21, id="2.1"),
]
T0 = "2026-01-05T10:00:00Z"
SCHEDULE = {
    "id": 1,
    "chargingRateUnit": "W",
    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.0, "numberPhases": 3}],
}
OCSP_REQUEST = {
    "hashAlgorithm": "SHA256",
    "issuerNameHash": "a3f1c2",
    "issuerKeyHash": "b4e2d3",
    "serialNumber": "12ab34",
    "responderURL": "http://ocsp.example.test",
}


@contextlib.asynccontextmanager
async def booted(connect, call, server, station):
    """A charger of `connect`'s version, connected and accepted."""
    async with connect(server, station.identity) as cp:
        await cp.call(
            call.BootNotification(
                charging_station={"model": "M", "vendor_name": "V"}, reason="PowerUp"
            )
        )
        yield cp


def report(station, action: str) -> StationReport:
    return StationReport.objects.get(station=station, action=action)


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_security_event_is_stored(server, station, connect, call):
    async with booted(connect, call, server, station) as cp:
        await cp.call(
            call.SecurityEventNotification(
                type="InvalidFirmwareSignature", timestamp=T0, tech_info="bad sig"
            )
        )
    event = SecurityEvent.objects.get(station=station)
    assert (event.type, event.tech_info) == ("InvalidFirmwareSignature", "bad sig")
    assert event.timestamp.isoformat() == "2026-01-05T10:00:00+00:00"


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_firmware_and_log_status_update_their_jobs(server, station, connect, call):
    async with booted(connect, call, server, station) as cp:
        for status in ["Downloading", "Downloaded", "Installing", "Installed"]:
            await cp.call(call.FirmwareStatusNotification(status=status, request_id=3))
        await cp.call(call.LogStatusNotification(status="Uploading", request_id=8))
        await cp.call(call.LogStatusNotification(status="Uploaded", request_id=8))
    firmware = StationJob.objects.get(station=station, kind="firmware")
    assert (firmware.request_id, firmware.status) == (3, "Installed")
    assert len(firmware.history) == 4
    log = StationJob.objects.get(station=station, kind="log")
    assert (log.request_id, log.status) == (8, "Uploaded")


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_publish_firmware_status_is_kept_as_a_report(server, station, connect, call):
    async with booted(connect, call, server, station) as cp:
        await cp.call(
            call.PublishFirmwareStatusNotification(
                status="Published", location=["https://lc.example.test/fw.bin"], request_id=4
            )
        )
    kept = report(station, "PublishFirmwareStatusNotification")
    assert kept.request_id == 4
    assert kept.payload["status"] == "Published"
    assert kept.payload["location"] == ["https://lc.example.test/fw.bin"]
    assert not StationJob.objects.filter(station=station).exists()


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_charging_limits_are_kept(server, station, connect, call):
    async with booted(connect, call, server, station) as cp:
        await cp.call(
            call.NotifyChargingLimit(
                charging_limit={"chargingLimitSource": "EMS", "isGridCritical": True},
                charging_schedule=[SCHEDULE],
                evse_id=1,
            )
        )
        await cp.call(call.ClearedChargingLimit(charging_limit_source="EMS", evse_id=1))
    limit = report(station, "NotifyChargingLimit")
    assert limit.evse_id == 1
    assert limit.payload["charging_limit"]["charging_limit_source"] == "EMS"
    assert limit.payload["charging_schedule"][0]["charging_schedule_period"][0]["limit"] == 11000
    cleared = report(station, "ClearedChargingLimit")
    assert cleared.evse_id == 1 and cleared.payload["charging_limit_source"] == "EMS"


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_reported_charging_profiles_are_kept(server, station, connect, call):
    profile = {
        "id": 7,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [{**SCHEDULE, "startSchedule": T0}],
    }
    async with booted(connect, call, server, station) as cp:
        await cp.call(
            call.ReportChargingProfiles(
                request_id=21, charging_limit_source="CSO", evse_id=0, charging_profile=[profile]
            )
        )
    # Nobody asked (no GetChargingProfiles with request 21): kept as reported, without one.
    kept = ChargingProfile.objects.get(station=station)
    assert (kept.profile_id, kept.evse_id, kept.limit_source, kept.command) == (7, 0, "CSO", None)
    assert (kept.origin, kept.purpose) == ("reported", "TxDefaultProfile")
    assert kept.payload["chargingSchedule"][0]["startSchedule"] == T0


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_ev_charging_needs_get_rejected_without_smart_charging(
    server, station, connect, call
):
    needs = {
        "requestedEnergyTransfer": "DC",
        "departureTime": "2026-01-05T18:00:00Z",
        "dcChargingParameters": {"evMaxCurrent": 200, "evMaxVoltage": 450, "stateOfCharge": 35},
    }
    async with booted(connect, call, server, station) as cp:
        answer = await cp.call(
            call.NotifyEVChargingNeeds(evse_id=1, charging_needs=needs, max_schedule_tuples=3)
        )
    assert answer.status == "Rejected"
    assert answer.status_info["reason_code"] == "NotEnabled"
    kept = report(station, "NotifyEVChargingNeeds")
    assert kept.evse_id == 1 and kept.payload["max_schedule_tuples"] == 3
    assert kept.payload["charging_needs"]["dc_charging_parameters"]["ev_max_voltage"] == 450


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_ev_charging_schedule_is_accepted_and_kept(server, station, connect, call):
    async with booted(connect, call, server, station) as cp:
        answer = await cp.call(
            call.NotifyEVChargingSchedule(time_base=T0, evse_id=1, charging_schedule=SCHEDULE)
        )
    assert answer.status == "Accepted"
    kept = report(station, "NotifyEVChargingSchedule")
    assert kept.evse_id == 1 and kept.payload["time_base"] == T0


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_reservation_status_update_ends_the_reservation(server, station, connect, call):
    reservation = ReservationFactory(station=station, reservation_id=42)
    async with booted(connect, call, server, station) as cp:
        await cp.call(
            call.ReservationStatusUpdate(reservation_id=42, reservation_update_status="Removed")
        )
        # One the back office never made is acknowledged all the same.
        await cp.call(
            call.ReservationStatusUpdate(reservation_id=43, reservation_update_status="Expired")
        )
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.REMOVED


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_display_messages_and_customer_information_are_kept(server, station, connect, call):
    message = {
        "id": 5,
        "priority": "NormalCycle",
        "message": {"format": "UTF8", "content": "Welkom"},
    }
    async with booted(connect, call, server, station) as cp:
        await cp.call(call.NotifyDisplayMessages(request_id=11, message_info=[message]))
        for seq_no, (data, tbc) in enumerate([("card TAG-1 used 3x", True), ("end", False)]):
            await cp.call(
                call.NotifyCustomerInformation(
                    data=data, seq_no=seq_no, generated_at=T0, request_id=12, tbc=tbc
                )
            )
    # Reports nothing of ours asked for are kept all the same, on their own rows.
    display = DisplayMessage.objects.get(station=station)
    assert (display.message_id, display.content, display.status) == (5, "Welkom", "reported")
    information = CustomerInformationRequest.objects.get(station=station, request_id=12)
    assert (information.data, information.complete) == ("card TAG-1 used 3xend", True)


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_data_transfer_is_stored(server, station, connect, call):
    async with booted(connect, call, server, station) as cp:
        answer = await cp.call(
            call.DataTransfer(vendor_id="com.acme", message_id="hello", data="42")
        )
    assert answer.status == "UnknownVendorId"
    record = station.data_transfers.get()
    assert (record.vendor_id, record.message_id, record.data) == ("com.acme", "hello", "42")


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_certificate_requests_fail_without_a_pki_and_a_bad_csr_is_rejected(
    server, station, connect, call
):
    async with booted(connect, call, server, station) as cp:
        signed = await cp.call(
            call.SignCertificate(
                csr="-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----",
                certificate_type="V2GCertificate",
            )
        )
        ev = await cp.call(
            call.Get15118EVCertificate(
                action="Install",
                exi_request="gJ8AAAAAAAA=",
                # The ocpp package names this field differently in its 2.1 dataclass.
                **{
                    "iso_15118_schema_version" if call is call21 else "iso15118_schema_version": (
                        "urn:iso:15118:2:2013:MsgDef"
                    )
                },
            )
        )
        ocsp = await cp.call(call.GetCertificateStatus(ocsp_request_data=OCSP_REQUEST))
    # The back office's CA refuses a CSR it cannot read (signing: test_certificate_commands).
    assert (signed.status, signed.status_info["reason_code"]) == ("Rejected", "InvalidCSR")
    assert (ev.status, ev.exi_response) == ("Failed", "")
    assert ocsp.status == "Failed" and ocsp.ocsp_result is None
    for answer in (ev, ocsp):
        assert answer.status_info["reason_code"] == "NotEnabled"
    assert report(station, "Get15118EVCertificate").payload["exi_request"] == ("gJ8AAAAAAAA=")
    kept = report(station, "GetCertificateStatus").payload["ocsp_request_data"]
    assert (kept["serial_number"], kept["responder_url"]) == ("12ab34", "http://ocsp.example.test")
