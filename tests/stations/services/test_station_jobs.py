"""Diagnostics, log and firmware jobs: the message each version gets, and, over a real socket,
the station's answer and its later status notifications tied to the job the command opened.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from stations.exceptions import CommandInvalid
from stations.models import Command, FirmwareFile, StationJob
from stations.services.jobs import files, station_jobs
from tests.commands import sent
from tests.factories.stations import StationFactory
from tests.ocpp_client import booted, in_thread

RETRIEVE_AT = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BACKOFFICE_PUBLIC_URL = "http://127.0.0.1:8000/"
    return tmp_path


@pytest.fixture
def firmware(media, transactional_db):
    return FirmwareFile.objects.create(
        name="ACME", version="2.0", file=ContentFile(b"FIRMWARE", name="acme-2.0.bin")
    )


# --- the messages, against an offline station ------------------------------------------------


@pytest.mark.django_db
def test_a_16_get_diagnostics_points_at_the_jobs_upload_url(media):
    station = StationFactory(ocpp_version="1.6")
    command = sent(station_jobs.get_diagnostics, station_id=station.pk)
    job = StationJob.objects.get(station=station)
    assert command.action == "GetDiagnostics"
    assert job.kind == StationJob.Kind.DIAGNOSTICS
    assert job.command == command
    assert job.request_id > 0
    location = command.payload["location"]
    assert location.startswith("http://127.0.0.1:8000/files/upload/")
    assert files.job_for_upload_token(urlsplit(location).path.split("/")[3]) == job


@pytest.mark.django_db
def test_get_diagnostics_is_refused_for_2x_before_anything_is_kept(media):
    station = StationFactory(ocpp_version="2.0.1")
    with pytest.raises(CommandInvalid):
        station_jobs.get_diagnostics(station_id=station.pk)
    assert not StationJob.objects.exists()
    assert not Command.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_get_log_is_the_same_message_in_every_version(media, version):
    station = StationFactory(ocpp_version=version)
    command = sent(station_jobs.get_log, station_id=station.pk, log_type="SecurityLog")
    job = StationJob.objects.get(station=station, kind=StationJob.Kind.LOG)
    assert command.action == "GetLog"
    assert command.payload["logType"] == "SecurityLog"
    assert command.payload["requestId"] == job.request_id
    assert "/files/upload/" in command.payload["log"]["remoteLocation"]


@pytest.mark.django_db
def test_an_unknown_log_type_is_refused(media):
    station = StationFactory(ocpp_version="2.0.1")
    with pytest.raises(CommandInvalid) as err:
        station_jobs.get_log(station_id=station.pk, log_type="Everything")
    assert err.value.message == station_jobs.UNKNOWN_LOG_TYPE
    assert not StationJob.objects.exists()


@pytest.mark.django_db
def test_a_16_update_firmware_names_the_file_and_the_retrieve_date(firmware):
    station = StationFactory(ocpp_version="1.6")
    command = sent(
        station_jobs.update_firmware,
        station_id=station.pk,
        firmware_id=firmware.pk,
        retrieve_at=RETRIEVE_AT,
    )
    job = StationJob.objects.get(station=station)
    assert (job.kind, job.firmware) == (StationJob.Kind.FIRMWARE, firmware)
    assert command.payload["retrieveDate"] == "2026-05-01T02:00:00.000Z"
    token = urlsplit(command.payload["location"]).path.split("/")[3]
    assert files.firmware_for_token(token) == firmware


@pytest.mark.django_db
def test_a_2x_update_firmware_carries_the_jobs_request_id(firmware):
    station = StationFactory(ocpp_version="2.0.1")
    command = sent(
        station_jobs.update_firmware,
        station_id=station.pk,
        firmware_id=firmware.pk,
        retrieve_at=RETRIEVE_AT,
    )
    job = StationJob.objects.get(station=station)
    assert command.payload["requestId"] == job.request_id
    assert command.payload["firmware"]["retrieveDateTime"] == "2026-05-01T02:00:00.000Z"
    assert "/files/firmware/" in command.payload["firmware"]["location"]


# --- over a real socket ----------------------------------------------------------------------


class Charger16(Client16):
    requests: list[tuple[str, dict]]

    @on("GetDiagnostics")
    async def on_get_diagnostics(self, location, **kwargs):
        self.requests.append(("GetDiagnostics", {"location": location}))
        return result16.GetDiagnostics(file_name="diagnostics.zip")

    @on("UpdateFirmware")
    async def on_update_firmware(self, location, retrieve_date, **kwargs):
        self.requests.append(("UpdateFirmware", {"location": location}))
        return result16.UpdateFirmware()


class Charger201(Client201):
    requests: list[tuple[str, dict]]

    @on("GetLog")
    async def on_get_log(self, log, log_type, request_id, **kwargs):
        self.requests.append(("GetLog", {"log": log, "request_id": request_id}))
        return result201.GetLog(status="Accepted", filename="station.log")

    @on("UpdateFirmware")
    async def on_update_firmware(self, request_id, firmware, **kwargs):
        self.requests.append(("UpdateFirmware", {"request_id": request_id, "firmware": firmware}))
        return result201.UpdateFirmware(status="Accepted")


@contextlib.asynccontextmanager
async def connected(server, station, version):
    subprotocol, client = {"1.6": ("ocpp1.6", Charger16), "2.0.1": ("ocpp2.0.1", Charger201)}[
        version
    ]
    charger_class = type(client.__name__, (client,), {"requests": []})
    async with booted(
        server, station.identity, subprotocol=subprotocol, client_class=charger_class
    ) as cp:
        yield cp


def upload_path(location: str) -> str:
    return urlsplit(location).path


@pytest.mark.asyncio
async def test_a_16_diagnostics_upload_and_its_notifications_are_tied_to_the_job(
    server, station, media
):
    async with connected(server, station, "1.6") as cp:
        result = await in_thread(station_jobs.get_diagnostics, station_id=station.pk)
        await cp.call(call16.DiagnosticsStatusNotification(status="Uploading"))
        location = cp.requests[0][1]["location"]
        response = await asyncio.to_thread(
            Client().put,
            upload_path(location),
            data=b"diagnostic data",
            content_type="application/octet-stream",
        )
        await cp.call(call16.DiagnosticsStatusNotification(status="Uploaded"))
    assert result.accepted
    assert response.status_code == 201
    job = StationJob.objects.get(pk=result.job.pk)
    assert job.command == result.command
    assert job.file_name == "diagnostics.zip"
    assert [entry["status"] for entry in job.history] == ["Uploading", "Uploaded"]
    assert job.status == "Uploaded"
    with job.file.open("rb") as stored:
        assert stored.read() == b"diagnostic data"
    assert job.file.name.endswith("diagnostics.zip")


@pytest.mark.asyncio
async def test_a_201_log_status_notification_finds_the_job_by_request_id(server, station, media):
    async with connected(server, station, "2.0.1") as cp:
        result = await in_thread(station_jobs.get_log, station_id=station.pk)
        request_id = cp.requests[0][1]["request_id"]
        await cp.call(call201.LogStatusNotification(status="Uploading", request_id=request_id))
        # A notification about another request opens no confusion with this job.
        await cp.call(call201.LogStatusNotification(status="Uploading", request_id=request_id + 1))
    assert result.accepted
    assert request_id == result.job.request_id
    job = StationJob.objects.get(pk=result.job.pk)
    assert (job.status, job.file_name, job.command) == ("Uploading", "station.log", result.command)
    assert len(job.history) == 1
    assert StationJob.objects.filter(station=station).count() == 2


@pytest.mark.asyncio
@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_firmware_status_notifications_follow_the_update_firmware(
    server, station, firmware, version
):
    async with connected(server, station, version) as cp:
        result = await in_thread(
            station_jobs.update_firmware, station_id=station.pk, firmware_id=firmware.pk
        )
        if version == "1.6":
            await cp.call(call16.FirmwareStatusNotification(status="Downloading"))
            await cp.call(call16.FirmwareStatusNotification(status="Installed"))
        else:
            request_id = cp.requests[0][1]["request_id"]
            await cp.call(
                call201.FirmwareStatusNotification(status="Downloading", request_id=request_id)
            )
            await cp.call(
                call201.FirmwareStatusNotification(status="Installed", request_id=request_id)
            )
    assert result.accepted
    job = StationJob.objects.get(pk=result.job.pk)
    assert job.firmware == firmware
    assert job.command.action == "UpdateFirmware"
    assert [entry["status"] for entry in job.history] == ["Downloading", "Installed"]
    assert StationJob.objects.filter(station=station).count() == 1


@pytest.mark.django_db
def test_an_offline_station_keeps_the_job_with_its_command(media):
    station = StationFactory(ocpp_version="1.6")
    command = sent(station_jobs.get_diagnostics, station_id=station.pk)
    assert command.state == Command.State.OFFLINE
    assert StationJob.objects.get(station=station).command == command


def test_a_notification_nobody_asked_for_skips_a_job_the_station_never_took(db):
    from datetime import UTC, datetime

    from stations.models import Command, StationJob
    from stations.services.jobs import job_status

    station = StationFactory()
    failed = Command.objects.create(
        station=station, action="GetDiagnostics", payload={}, state=Command.State.OFFLINE
    )
    never_sent = StationJob.objects.create(station=station, kind="diagnostics", command=failed)
    job = job_status.report_status(
        station_id=station.pk,
        kind="diagnostics",
        status="Uploading",
        at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    assert job.pk != never_sent.pk
    never_sent.refresh_from_db()
    assert never_sent.status == ""
