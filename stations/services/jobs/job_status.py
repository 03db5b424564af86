"""Firmware, diagnostics and log jobs, and the status notifications stations send about them."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.models import Command, StationJob

# Statuses after which a station starts a new job rather than continuing the last one.
_FINAL = {
    "Idle",
    "Installed",
    "InstallationFailed",
    "DownloadFailed",
    "Uploaded",
    "UploadFailure",
    "BadMessage",
    "NotSupportedOperation",
    "PermissionDenied",
    "InvalidSignature",
    "InstallVerificationFailed",
    "InvalidCertificate",
    "RevokedCertificate",
    "AcceptedCanceled",
}


def report_status(
    *, station_id: int, kind: str, status: str, at: datetime, request_id: int | None = None
) -> StationJob:
    """Apply a status notification to the job it is about.

    The job is the one with the same request id, else the station's latest unfinished job of
    that kind; a notification nothing asked for (a station's own upload) opens a new job.
    """
    with transaction.atomic():
        jobs = StationJob.objects.select_for_update().filter(station_id=station_id, kind=kind)
        if request_id is not None:
            job = jobs.filter(request_id=request_id).first()
        else:
            job = jobs.order_by("-created_at", "-pk").first()
            if job is not None and (job.status in _FINAL or _never_started(job)):
                job = None
        if job is None:
            job = StationJob(station_id=station_id, kind=kind, request_id=request_id)
        job.status = status
        job.history = [*job.history, {"status": status, "at": format_ocpp_datetime(at)}]
        job.save()
    return job


def _never_started(job: StationJob) -> bool:
    """The station never took this job on: its command failed or was refused."""
    command = job.command
    if command is None:
        return False
    refused = command.state == Command.State.ANSWERED and command.result_status in _REFUSED
    return refused or command.state in _COMMAND_FAILED


# Answers of a station that does not take the job on (signed firmware: a bad certificate).
_REFUSED = {"Rejected", "InvalidCertificate", "RevokedCertificate"}
_COMMAND_FAILED = {Command.State.CALL_ERROR, Command.State.TIMED_OUT, Command.State.OFFLINE}
