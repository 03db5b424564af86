"""Signed firmware without a socket: the checks on its signature and certificate, and the
update message each version gets (1.6 SignedUpdateFirmware, 2.x UpdateFirmware)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from backoffice.lib import firmware_signing
from stations.exceptions import CommandInvalid, StationNotConnected
from stations.models import FirmwareFile, StationJob
from stations.services.commands import adapters
from stations.services.jobs import requests as job_requests
from stations.services.jobs import station_jobs
from tests.factories.stations import StationFactory
from tests.stations.firmware_signing_fixtures import FIRMWARE_BYTES, signing_material

RETRIEVE_AT = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
INSTALL_AT = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
SIGNATURE, CERTIFICATE = signing_material()


@pytest.fixture
def signed(settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path
    settings.BACKOFFICE_PUBLIC_URL = "http://127.0.0.1:8000/"
    return FirmwareFile.objects.create(
        name="ACME",
        version="3.0",
        file=ContentFile(FIRMWARE_BYTES, name="acme-3.0.bin"),
        signature=SIGNATURE,
        signing_certificate=CERTIFICATE,
    )


def build(version, **kwargs):
    """The UpdateFirmware (or SignedUpdateFirmware) the version's adapter builds."""
    defaults = {"request_id": 9, "location": "https://cs.example/fw", "retrieve_at": RETRIEVE_AT}
    request = job_requests.UpdateFirmware(**{**defaults, **kwargs})
    return adapters.build(version=version, request=request)


# --- payloads --------------------------------------------------------------------------------


def test_a_16_unsigned_update_carries_its_retries():
    message = build(version="1.6", retries=3, retry_interval=60)
    assert message.action == "UpdateFirmware"
    assert message.payload == {
        "location": "https://cs.example/fw",
        "retrieveDate": "2026-05-01T02:00:00.000Z",
        "retries": 3,
        "retryInterval": 60,
    }


def test_a_16_signed_update_is_signed_update_firmware():
    message = build(
        version="1.6",
        signature="c2ln",
        signing_certificate="PEM",
        install_at=INSTALL_AT,
        retries=2,
        retry_interval=30,
    )
    assert message.action == "SignedUpdateFirmware"
    assert message.payload == {
        "requestId": 9,
        "firmware": {
            "location": "https://cs.example/fw",
            "retrieveDateTime": "2026-05-01T02:00:00.000Z",
            "installDateTime": "2026-05-01T03:00:00.000Z",
            "signingCertificate": "PEM",
            "signature": "c2ln",
        },
        "retries": 2,
        "retryInterval": 30,
    }


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
def test_a_2x_signed_update_carries_signature_and_certificate(version):
    message = build(version=version, signature="c2ln", signing_certificate="PEM", retries=0)
    assert message.action == "UpdateFirmware"
    assert message.payload == {
        "requestId": 9,
        "firmware": {
            "location": "https://cs.example/fw",
            "retrieveDateTime": "2026-05-01T02:00:00.000Z",
            "signingCertificate": "PEM",
            "signature": "c2ln",
        },
        "retries": 0,
    }


def test_a_2x_unsigned_update_may_set_an_install_time():
    message = build(version="2.0.1", install_at=INSTALL_AT)
    assert message.payload["firmware"]["installDateTime"] == "2026-05-01T03:00:00.000Z"
    assert "signature" not in message.payload["firmware"]


def test_a_16_install_time_needs_signed_firmware():
    with pytest.raises(CommandInvalid) as invalid:
        build(version="1.6", install_at=INSTALL_AT)
    assert invalid.value.message == job_requests.V16_INSTALL_TIME_NEEDS_SIGNED


def test_a_signature_without_certificate_is_refused():
    with pytest.raises(CommandInvalid) as invalid:
        build(version="2.0.1", signature="c2ln")
    assert invalid.value.message == job_requests.SIGNATURE_NEEDS_CERTIFICATE


def test_negative_retries_are_refused():
    with pytest.raises(CommandInvalid) as invalid:
        build(version="2.1", retry_interval=-1)
    assert (invalid.value.message, invalid.value.field) == (
        job_requests.NEGATIVE_RETRY,
        "retry_interval",
    )


# --- services against an offline station -----------------------------------------------------


def test_a_16_station_is_sent_the_signed_firmware_with_the_jobs_request_id(signed):
    station = StationFactory(ocpp_version="1.6")
    with pytest.raises(StationNotConnected) as offline:
        station_jobs.update_firmware(
            station_id=station.pk, firmware_id=signed.pk, retrieve_at=RETRIEVE_AT, retries=1
        )
    command = offline.value.command
    job = StationJob.objects.get(station=station)
    assert command.action == "SignedUpdateFirmware"
    assert command.payload["requestId"] == job.request_id
    assert command.payload["firmware"]["signature"] == SIGNATURE
    assert command.payload["firmware"]["signingCertificate"] == CERTIFICATE
    assert "/files/firmware/" in command.payload["firmware"]["location"]
    assert command.payload["retries"] == 1


def test_an_update_that_cannot_be_sent_leaves_no_job(signed):
    station = StationFactory(ocpp_version="1.6")
    FirmwareFile.objects.filter(pk=signed.pk).update(signature="", signing_certificate="")
    with pytest.raises(CommandInvalid):
        station_jobs.update_firmware(
            station_id=station.pk, firmware_id=signed.pk, install_at=INSTALL_AT
        )
    assert not StationJob.objects.exists()


# --- the firmware's own checks ---------------------------------------------------------------


def test_a_signed_firmware_file_is_valid_and_its_wrapped_signature_normalised(signed):
    wrapped = SIGNATURE[:10] + "\n " + SIGNATURE[10:]
    signed.signature = wrapped
    signed.full_clean()
    assert signed.signature == SIGNATURE
    assert signed.signed


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"signature": "not base64!"},
            {"signature": [firmware_signing.SIGNATURE_NOT_BASE64]},
        ),
        (
            {"signing_certificate": "-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----"},
            {"signing_certificate": [firmware_signing.CERTIFICATE_NOT_PEM]},
        ),
        ({"signature": ""}, {"signature": [firmware_signing.SIGNED_NEEDS_BOTH]}),
        (
            {"signing_certificate": ""},
            {"signing_certificate": [firmware_signing.SIGNED_NEEDS_BOTH]},
        ),
        (
            {"signature": "QUJD" * 201},
            {"signature": [firmware_signing.SIGNATURE_TOO_LONG]},
        ),
    ],
)
def test_a_bad_signature_or_certificate_is_refused(signed, fields, errors):
    for name, value in fields.items():
        setattr(signed, name, value)
    with pytest.raises(ValidationError) as invalid:
        signed.clean()
    assert invalid.value.message_dict == errors


def test_unsigned_firmware_is_valid(signed):
    signed.signature = signed.signing_certificate = ""
    signed.clean()
    assert not signed.signed
