"""Jobs a station carries out after answering: diagnostics and log uploads, firmware updates
(signed firmware too: 1.6 SignedUpdateFirmware, 2.x UpdateFirmware with its signature).

Each service opens the StationJob first (with a request id, so the station's later status
notifications find it through `jobs.report_status`), puts the job's URL in the message, sends
it through the command bus and keeps the command on the job, whatever its outcome. The bus's
errors pass through unchanged after that (see `remote`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.exceptions import CommandError, CommandInvalid
from stations.models import Command, FirmwareFile, StationJob
from stations.services.commands import bus as commands
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.commands.remote import V16, Message, _version
from stations.services.jobs import files

_INT32_MAX = 2**31 - 1
LOG_TYPES = ("DiagnosticsLog", "SecurityLog")
UNKNOWN_LOG_TYPE = "The log type is DiagnosticsLog or SecurityLog."
V2X_HAS_NO_GET_DIAGNOSTICS = "OCPP 2.x has no GetDiagnostics: ask for a log instead."
SIGNATURE_NEEDS_CERTIFICATE = (
    "This firmware has a signature without its signing certificate, or a certificate without "
    "a signature: give both, or neither."
)
NEGATIVE_RETRY = "Retries and the retry interval are zero or more."
V16_INSTALL_TIME_NEEDS_SIGNED = (
    "OCPP 1.6 can only delay the installation of signed firmware: sign it, or leave the "
    "install time out."
)


@dataclass(frozen=True, slots=True)
class JobResult(Answered):
    """The job and the command that started it; `status` is the station's answer status.

    A 1.6 GetDiagnostics or UpdateFirmware answer has no status: it is "Accepted" when the
    station answered at all.
    """

    job: StationJob
    command: Command
    status: str


# --- services --------------------------------------------------------------------------------


def get_diagnostics(
    *,
    station_id: int,
    start_time: datetime | None = None,
    stop_time: datetime | None = None,
    caller: Caller = SYSTEM,
) -> JobResult:
    """Ask the station to upload its diagnostics (1.6 GetDiagnostics) to the job's URL."""
    version = _version(station_id)
    if version != V16:
        raise CommandInvalid(V2X_HAS_NO_GET_DIAGNOSTICS)
    job = _open_job(station_id=station_id, kind=StationJob.Kind.DIAGNOSTICS)
    message = build_get_diagnostics(
        version=version,
        location=files.upload_url(job=job),
        start_time=start_time,
        stop_time=stop_time,
    )
    return _run(job, message, caller)


def get_log(
    *,
    station_id: int,
    log_type: str = "DiagnosticsLog",
    oldest: datetime | None = None,
    latest: datetime | None = None,
    caller: Caller = SYSTEM,
) -> JobResult:
    """Ask the station to upload a log (GetLog: 2.x, 1.6 security extension) to the job's URL."""
    if log_type not in LOG_TYPES:
        raise CommandInvalid(UNKNOWN_LOG_TYPE, field="log_type")
    job = _open_job(station_id=station_id, kind=StationJob.Kind.LOG)
    message = build_get_log(
        log_type=log_type,
        request_id=job.request_id or 0,
        location=files.upload_url(job=job),
        oldest=oldest,
        latest=latest,
    )
    return _run(job, message, caller)


def update_firmware(
    *,
    station_id: int,
    firmware_id: int,
    retrieve_at: datetime | None = None,
    install_at: datetime | None = None,
    retries: int | None = None,
    retry_interval: int | None = None,
    caller: Caller = SYSTEM,
) -> JobResult:
    """Ask the station to fetch `firmware_id` from the job's URL and install it.

    Signed firmware goes with its signature and certificate: 1.6 SignedUpdateFirmware (security
    extension), 2.x UpdateFirmware. `retries` / `retry_interval` (seconds) bound the download
    attempts; `install_at` (signed firmware in 1.6) delays the installation.
    """
    version = _version(station_id)
    firmware = FirmwareFile.objects.get(pk=firmware_id)
    job = _open_job(station_id=station_id, kind=StationJob.Kind.FIRMWARE, firmware=firmware)
    try:
        message = build_update_firmware(
            version=version,
            request_id=job.request_id or 0,
            location=files.firmware_url(job=job),
            retrieve_at=retrieve_at or timezone.now(),
            install_at=install_at,
            retries=retries,
            retry_interval=retry_interval,
            signature=firmware.signature,
            signing_certificate=firmware.signing_certificate,
        )
    except CommandInvalid:
        job.delete()  # nothing can be sent: no job either
        raise
    return _run(job, message, caller)


# --- payloads --------------------------------------------------------------------------------


def build_get_diagnostics(
    *,
    version: str,
    location: str,
    start_time: datetime | None = None,
    stop_time: datetime | None = None,
) -> Message:
    if version != V16:
        raise CommandInvalid(V2X_HAS_NO_GET_DIAGNOSTICS)
    payload: dict[str, Any] = {"location": location}
    if start_time is not None:
        payload["startTime"] = format_ocpp_datetime(start_time)
    if stop_time is not None:
        payload["stopTime"] = format_ocpp_datetime(stop_time)
    return Message("GetDiagnostics", payload)


def build_get_log(
    *,
    log_type: str,
    request_id: int,
    location: str,
    oldest: datetime | None = None,
    latest: datetime | None = None,
) -> Message:
    """The same GetLog in 2.x and in the 1.6 security extension."""
    if log_type not in LOG_TYPES:
        raise CommandInvalid(UNKNOWN_LOG_TYPE, field="log_type")
    log: dict[str, Any] = {"remoteLocation": location}
    if oldest is not None:
        log["oldestTimestamp"] = format_ocpp_datetime(oldest)
    if latest is not None:
        log["latestTimestamp"] = format_ocpp_datetime(latest)
    return Message("GetLog", {"logType": log_type, "requestId": request_id, "log": log})


def build_update_firmware(
    *,
    version: str,
    request_id: int,
    location: str,
    retrieve_at: datetime,
    install_at: datetime | None = None,
    retries: int | None = None,
    retry_interval: int | None = None,
    signature: str = "",
    signing_certificate: str = "",
) -> Message:
    """UpdateFirmware, or for signed firmware in 1.6 SignedUpdateFirmware.

    Signed means both a signature and a signing certificate; one without the other is refused.
    """
    if bool(signature) != bool(signing_certificate):
        raise CommandInvalid(SIGNATURE_NEEDS_CERTIFICATE, field="firmware_id")
    for name, value in (("retries", retries), ("retry_interval", retry_interval)):
        if value is not None and value < 0:
            raise CommandInvalid(NEGATIVE_RETRY, field=name)
    retrieve = format_ocpp_datetime(retrieve_at)
    retry: dict[str, Any] = {}
    if retries is not None:
        retry["retries"] = retries
    if retry_interval is not None:
        retry["retryInterval"] = retry_interval
    if version == V16 and not signature:
        if install_at is not None:
            raise CommandInvalid(V16_INSTALL_TIME_NEEDS_SIGNED, field="install_at")
        return Message("UpdateFirmware", {"location": location, "retrieveDate": retrieve, **retry})
    firmware: dict[str, Any] = {"location": location, "retrieveDateTime": retrieve}
    if install_at is not None:
        firmware["installDateTime"] = format_ocpp_datetime(install_at)
    if signature:
        firmware["signingCertificate"] = signing_certificate
        firmware["signature"] = signature
    action = "SignedUpdateFirmware" if version == V16 else "UpdateFirmware"
    return Message(action, {"requestId": request_id, "firmware": firmware, **retry})


# --- helpers ---------------------------------------------------------------------------------


def _open_job(*, station_id: int, kind: str, firmware: FirmwareFile | None = None) -> StationJob:
    # Committed before the command goes out: the station's first notification may come back
    # before the command's answer, and must find the job.
    with transaction.atomic():
        return StationJob.objects.create(
            station_id=station_id,
            kind=kind,
            firmware=firmware,
            request_id=secrets.randbelow(_INT32_MAX) + 1,
        )


def _run(job: StationJob, message: Message, caller: Caller) -> JobResult:
    try:
        command = commands.send(
            station_id=job.station_id,
            action=message.action,
            payload=message.payload,
            caller=caller,
        )
    except CommandError as err:
        if err.command is not None:
            _keep_command(job, err.command, "")
        else:
            # Invalid for the station's schema: nothing was sent, so there is no job either.
            job.delete()
        raise
    response = command.response or {}
    status = command.result_status
    if command.state == Command.State.ANSWERED and message.action != "GetLog":
        status = status or "Accepted"  # 1.6 GetDiagnostics / UpdateFirmware answer no status
    _keep_command(job, command, response.get("fileName") or response.get("filename") or "")
    return JobResult(job, command, status)


def _keep_command(job: StationJob, command: Command, file_name: str) -> None:
    # A plain update: the station may already be reporting on the job (status, upload).
    fields: dict[str, Any] = {"command": command}
    if file_name:
        fields["file_name"] = file_name[:255]
    StationJob.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
