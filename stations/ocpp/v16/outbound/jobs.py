"""Station jobs in OCPP 1.6: GetDiagnostics, UpdateFirmware, and from the security extension
GetLog and SignedUpdateFirmware (signed firmware)."""

from __future__ import annotations

from typing import Any

from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.exceptions import CommandInvalid
from stations.ocpp import same_in_every_version as same
from stations.services.commands.adapters import Message
from stations.services.jobs.requests import (
    V16_INSTALL_TIME_NEEDS_SIGNED,
    GetDiagnostics,
    GetLog,
    JobAnswer,
    UpdateFirmware,
)

from .adapter import ADAPTER


@ADAPTER.builds(GetDiagnostics, fields={"startTime": "start_time", "stopTime": "stop_time"})
def get_diagnostics(request: GetDiagnostics, version: str) -> Message:
    payload: dict[str, Any] = {"location": request.location}
    if request.start_time is not None:
        payload["startTime"] = format_ocpp_datetime(request.start_time)
    if request.stop_time is not None:
        payload["stopTime"] = format_ocpp_datetime(request.stop_time)
    return Message("GetDiagnostics", payload)


ADAPTER.builds(GetLog, fields=same.GET_LOG_FIELDS)(same.get_log)


@ADAPTER.builds(
    UpdateFirmware,
    fields={
        "retrieveDate": "retrieve_at",
        "firmware.retrieveDateTime": "retrieve_at",
        "firmware.installDateTime": "install_at",
        "retryInterval": "retry_interval",
    },
)
def update_firmware(request: UpdateFirmware, version: str) -> Message:
    """UpdateFirmware, or for signed firmware SignedUpdateFirmware."""
    retrieve = format_ocpp_datetime(request.retrieve_at)
    retry: dict[str, Any] = {}
    if request.retries is not None:
        retry["retries"] = request.retries
    if request.retry_interval is not None:
        retry["retryInterval"] = request.retry_interval
    if not request.signed:
        if request.install_at is not None:
            raise CommandInvalid(V16_INSTALL_TIME_NEEDS_SIGNED, field="install_at")
        return Message(
            "UpdateFirmware", {"location": request.location, "retrieveDate": retrieve, **retry}
        )
    firmware: dict[str, Any] = {"location": request.location, "retrieveDateTime": retrieve}
    if request.install_at is not None:
        firmware["installDateTime"] = format_ocpp_datetime(request.install_at)
    firmware["signingCertificate"] = request.signing_certificate
    firmware["signature"] = request.signature
    return Message(
        "SignedUpdateFirmware", {"requestId": request.request_id, "firmware": firmware, **retry}
    )


@ADAPTER.reads(GetDiagnostics)
@ADAPTER.reads(UpdateFirmware)
def taken_on(
    request: GetDiagnostics | UpdateFirmware, response: dict[str, Any], version: str
) -> JobAnswer:
    # GetDiagnostics and UpdateFirmware answer no status: an answer means the station took it.
    return JobAnswer(_status(response) or "Accepted", _file_name(response))


@ADAPTER.reads(GetLog)
def log_answer(request: GetLog, response: dict[str, Any], version: str) -> JobAnswer:
    return JobAnswer(_status(response), _file_name(response))


def _status(response: dict[str, Any]) -> str:
    status = response.get("status")
    return status if isinstance(status, str) else ""


def _file_name(response: dict[str, Any]) -> str:
    return str(response.get("fileName") or response.get("filename") or "")
