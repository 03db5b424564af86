"""Signed firmware over real sockets: 1.6 SignedUpdateFirmware (security extension) and 2.0.1 /
2.1 UpdateFirmware with its signature, and the status notifications that follow by requestId."""

from __future__ import annotations

import contextlib

import pytest
from django.core.files.base import ContentFile
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v21 import ChargePoint as Client21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from stations.exceptions import StationNotConnected
from stations.models import Command, FirmwareFile, StationJob
from stations.services.jobs import station_jobs
from tests.ocpp_client import REFUSING_CLIENTS, booted, in_thread
from tests.stations.firmware_signing_fixtures import FIRMWARE_BYTES, signing_material

pytestmark = pytest.mark.asyncio

SIGNATURE, CERTIFICATE = signing_material()


class Firmware16(Client16):
    answer = "Accepted"
    requests: list[dict]

    @on("SignedUpdateFirmware")
    async def on_signed_update_firmware(self, request_id, firmware, **kwargs):
        self.requests.append({"request_id": request_id, "firmware": firmware, **kwargs})
        return result16.SignedUpdateFirmware(status=self.answer)


class Firmware201(Client201):
    answer = "Accepted"
    requests: list[dict]

    @on("UpdateFirmware")
    async def on_update_firmware(self, request_id, firmware, **kwargs):
        self.requests.append({"request_id": request_id, "firmware": firmware, **kwargs})
        return result201.UpdateFirmware(status=self.answer)


class Firmware21(Client21):
    answer = "Accepted"
    requests: list[dict]

    @on("UpdateFirmware")
    async def on_update_firmware(self, request_id, firmware, **kwargs):
        self.requests.append({"request_id": request_id, "firmware": firmware, **kwargs})
        return result21.UpdateFirmware(status=self.answer)


CHARGERS = {
    "1.6": ("ocpp1.6", Firmware16),
    "2.0.1": ("ocpp2.0.1", Firmware201),
    "2.1": ("ocpp2.1", Firmware21),
}
VERSIONS = list(CHARGERS)


@contextlib.asynccontextmanager
async def connected(server, station, version, *, answer="Accepted", implemented=True):
    subprotocol, client = CHARGERS[version]
    charger_class = (
        type(client.__name__, (client,), {"requests": [], "answer": answer})
        if implemented
        else REFUSING_CLIENTS[subprotocol]
    )
    async with booted(
        server, station.identity, subprotocol=subprotocol, client_class=charger_class
    ) as cp:
        yield cp


@pytest.fixture
def signed(settings, tmp_path, transactional_db):
    settings.MEDIA_ROOT = tmp_path
    settings.BACKOFFICE_PUBLIC_URL = "http://127.0.0.1:8000/"
    return FirmwareFile.objects.create(
        name="ACME",
        version="3.0",
        file=ContentFile(FIRMWARE_BYTES, name="acme-3.0.bin"),
        signature=SIGNATURE,
        signing_certificate=CERTIFICATE,
    )


def status_notification(version: str, status: str, request_id: int):
    calls = {"1.6": call16, "2.0.1": call201, "2.1": call21}[version]
    if version == "1.6":
        return calls.SignedFirmwareStatusNotification(status=status, request_id=request_id)
    return calls.FirmwareStatusNotification(status=status, request_id=request_id)


@pytest.mark.parametrize("version", VERSIONS)
async def test_signed_firmware_reaches_the_station_and_its_statuses_land_on_the_job(
    server, station, signed, version
):
    async with connected(server, station, version) as cp:
        result = await in_thread(
            station_jobs.update_firmware,
            station_id=station.pk,
            firmware_id=signed.pk,
            retries=2,
            retry_interval=30,
        )
        request_id = cp.requests[0]["request_id"]
        for status in ("Downloading", "SignatureVerified", "Installed"):
            await cp.call(status_notification(version, status, request_id))
        # A notification about another request is not this job's.
        await cp.call(status_notification(version, "Downloading", request_id + 1))
    assert result.accepted
    assert result.command.action == (
        "SignedUpdateFirmware" if version == "1.6" else "UpdateFirmware"
    )
    request = cp.requests[0]
    assert request_id == result.job.request_id
    assert request["firmware"]["signature"] == SIGNATURE
    assert request["firmware"]["signing_certificate"] == CERTIFICATE
    assert (request["retries"], request["retry_interval"]) == (2, 30)
    job = StationJob.objects.get(pk=result.job.pk)
    assert [entry["status"] for entry in job.history] == [
        "Downloading",
        "SignatureVerified",
        "Installed",
    ]
    assert (job.status, job.firmware, job.command) == ("Installed", signed, result.command)
    assert StationJob.objects.filter(station=station).count() == 2


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_signing_certificate_the_station_refuses_is_reported(
    server, station, signed, version
):
    async with connected(server, station, version, answer="InvalidCertificate"):
        result = await in_thread(
            station_jobs.update_firmware, station_id=station.pk, firmware_id=signed.pk
        )
    assert not result.accepted
    assert result.status == "InvalidCertificate"
    assert StationJob.objects.get(pk=result.job.pk).command == result.command


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_station_without_signed_updates_answers_a_callerror(
    server, station, signed, version
):
    async with connected(server, station, version, implemented=False):
        result = await in_thread(
            station_jobs.update_firmware, station_id=station.pk, firmware_id=signed.pk
        )
    assert result.command.state == Command.State.CALL_ERROR
    assert result.command.error_code == "NotImplemented"
    assert (result.status, result.accepted) == ("", False)


async def test_signed_firmware_for_an_offline_station_raises_and_keeps_the_job(
    server, station, signed
):
    with pytest.raises(StationNotConnected) as offline:
        await in_thread(station_jobs.update_firmware, station_id=station.pk, firmware_id=signed.pk)
    assert offline.value.command.action == "SignedUpdateFirmware"
    assert StationJob.objects.get(station=station).command == offline.value.command
