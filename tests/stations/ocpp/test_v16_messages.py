"""The other charger-initiated 1.6 messages: status, authorize, data transfer, jobs, security."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call

from stations.models import Connector, DataTransferRecord, SecurityEvent, StationJob, StatusEvent
from tests.factories.accounts import IdTokenFactory
from tests.ocpp_client import charger16

pytestmark = pytest.mark.asyncio


async def boot(cp) -> None:
    await cp.call(call.BootNotification(charge_point_vendor="ACME", charge_point_model="X"))


async def test_status_is_kept_per_connector_with_history(server, station):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        await cp.call(
            call.StatusNotification(
                connector_id=0,
                error_code="NoError",
                status="Available",
                timestamp="2026-01-05T10:00:00Z",
            )
        )
        await cp.call(
            call.StatusNotification(
                connector_id=2,
                error_code="GroundFailure",
                status="Faulted",
                timestamp="2026-01-05T10:01:00Z",
                info="RCD tripped",
                vendor_id="acme",
                vendor_error_code="E42",
            )
        )
    station.refresh_from_db()
    assert station.status == "Available"
    connector = Connector.objects.get(evse__station=station, evse__evse_id=2)
    assert (connector.status, connector.error_code) == ("Faulted", "GroundFailure")
    assert (connector.info, connector.vendor_id, connector.vendor_error_code) == (
        "RCD tripped",
        "acme",
        "E42",
    )
    assert StatusEvent.objects.filter(station=station).count() == 2


async def test_a_late_status_does_not_overwrite_a_newer_one(server, station):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        for status, minute in [("Charging", 5), ("Available", 1)]:
            await cp.call(
                call.StatusNotification(
                    connector_id=1,
                    error_code="NoError",
                    status=status,
                    timestamp=f"2026-01-05T10:0{minute}:00Z",
                )
            )
    connector = Connector.objects.get(evse__station=station, evse__evse_id=1)
    assert connector.status == "Charging"
    late = StatusEvent.objects.get(station=station, status="Available")
    assert late.applied is False


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ({"status": "Accepted"}, "Accepted"),
        ({"status": "Blocked"}, "Blocked"),
        ({"status": "Invalid"}, "Invalid"),
        ({"status": "Accepted", "expires_at": datetime(2020, 1, 1, tzinfo=UTC)}, "Expired"),
        (None, "Invalid"),
    ],
)
async def test_authorize_answers_the_token_status(server, station, token, expected):
    if token is not None:
        IdTokenFactory(id_token="CARD", **token)
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        result = await cp.call(call.Authorize(id_tag="CARD"))
    assert result.id_tag_info["status"] == expected


async def test_authorize_gives_expiry_and_parent_id_tag(server, station):
    # Sooner than the cache time (OCPP_AUTH_CACHE_SECONDS): the token's own expiry is given.
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    IdTokenFactory(id_token="FLEET-A")
    IdTokenFactory(id_token="CARD", group_id_token="FLEET-A", expires_at=expires)
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        result = await cp.call(call.Authorize(id_tag="CARD"))
    assert result.id_tag_info == {
        "status": "Accepted",
        "expiry_date": expires.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "parent_id_tag": "FLEET-A",
    }


async def test_a_blocked_group_blocks_its_cards(server, station):
    IdTokenFactory(id_token="FLEET-B", status="Blocked")
    IdTokenFactory(id_token="CARD", group_id_token="FLEET-B")
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        result = await cp.call(call.Authorize(id_tag="CARD"))
    assert result.id_tag_info["status"] == "Blocked"


async def test_data_transfer_is_stored_and_unknown_vendors_answered(server, station):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        result = await cp.call(
            call.DataTransfer(vendor_id="com.acme", message_id="ping", data="{}")
        )
    assert result.status == "UnknownVendorId"
    record = DataTransferRecord.objects.get(station=station)
    assert (record.vendor_id, record.message_id, record.data) == ("com.acme", "ping", "{}")
    assert record.response_status == "UnknownVendorId"


async def test_firmware_and_diagnostics_status_are_kept_as_jobs(server, station):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        for status in ["Downloading", "Downloaded", "Installing", "Installed"]:
            await cp.call(call.FirmwareStatusNotification(status=status))
        await cp.call(call.DiagnosticsStatusNotification(status="Uploading"))
        await cp.call(call.DiagnosticsStatusNotification(status="Uploaded"))
        await cp.call(call.FirmwareStatusNotification(status="Downloading"))
    firmware = list(StationJob.objects.filter(station=station, kind="firmware").order_by("pk"))
    assert [job.status for job in firmware] == ["Installed", "Downloading"]
    assert [h["status"] for h in firmware[0].history] == [
        "Downloading",
        "Downloaded",
        "Installing",
        "Installed",
    ]
    diagnostics = StationJob.objects.get(station=station, kind="diagnostics")
    assert diagnostics.status == "Uploaded"


async def test_security_events_are_stored_and_sign_certificate_rejected(server, station):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        await cp.call(
            call.SecurityEventNotification(
                type="TamperDetectionActivated", timestamp="2026-01-05T10:00:00Z", tech_info="lid"
            )
        )
        signed = await cp.call(call.SignCertificate(csr="-----BEGIN CERTIFICATE REQUEST-----"))
        await cp.call(call.LogStatusNotification(status="Uploaded", request_id=7))
    event = SecurityEvent.objects.get(station=station, type="TamperDetectionActivated")
    assert event.tech_info == "lid" and not event.raised_by_backoffice
    assert signed.status == "Rejected"
    assert StationJob.objects.get(station=station, kind="log").request_id == 7
