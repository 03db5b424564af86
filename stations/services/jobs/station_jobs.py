"""Jobs a station carries out after answering: diagnostics and log uploads, firmware updates
(signed firmware too: 1.6 SignedUpdateFirmware, 2.x UpdateFirmware with its signature).

Each service opens the StationJob first (with a request id, so the station's later status
notifications find it through `jobs.report_status`), puts the job's URL in the request, sends
it (`commands.outbound`) and keeps the command on the job, whatever its outcome. A request the
station's version refuses leaves no job; the bus's errors pass through unchanged after that.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from stations.exceptions import CommandError, CommandInvalid
from stations.models import Command, FirmwareFile, StationJob
from stations.services.commands import adapters, outbound
from stations.services.commands.adapters import Request
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.jobs import files
from stations.services.jobs.requests import (
    LOG_TYPES,
    UNKNOWN_LOG_TYPE,
    V2X_HAS_NO_GET_DIAGNOSTICS,
    GetDiagnostics,
    GetLog,
    JobAnswer,
    UpdateFirmware,
)

_INT32_MAX = 2**31 - 1


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
    if not adapters.supports(adapters.station_version(station_id), GetDiagnostics):
        raise CommandInvalid(V2X_HAS_NO_GET_DIAGNOSTICS)
    job = _open_job(station_id=station_id, kind=StationJob.Kind.DIAGNOSTICS)
    request = GetDiagnostics(
        location=files.upload_url(job=job), start_time=start_time, stop_time=stop_time
    )
    return _run(job, request, caller)


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
    request = GetLog(
        log_type=log_type,
        request_id=job.request_id or 0,
        location=files.upload_url(job=job),
        oldest=oldest,
        latest=latest,
    )
    return _run(job, request, caller)


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
    firmware = FirmwareFile.objects.get(pk=firmware_id)
    job = _open_job(station_id=station_id, kind=StationJob.Kind.FIRMWARE, firmware=firmware)
    try:
        request = UpdateFirmware(
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
    return _run(job, request, caller)


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


def _run(job: StationJob, request: Request, caller: Caller) -> JobResult:
    try:
        outcome = outbound.send(station_id=job.station_id, request=request, caller=caller)
    except CommandError as err:
        if err.command is not None:
            _keep_command(job, err.command, "")
        else:
            # Refused for the station's version: nothing was sent, so there is no job either.
            job.delete()
        raise
    answer = outcome.answer
    if isinstance(answer, JobAnswer):
        _keep_command(job, outcome.command, answer.file_name)
        return JobResult(job, outcome.command, answer.status)
    _keep_command(job, outcome.command, "")  # a CALLERROR
    return JobResult(job, outcome.command, outcome.status)


def _keep_command(job: StationJob, command: Command, file_name: str) -> None:
    # A plain update: the station may already be reporting on the job (status, upload).
    fields: dict[str, Any] = {"command": command}
    if file_name:
        fields["file_name"] = file_name[:255]
    StationJob.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
