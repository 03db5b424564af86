"""Station jobs in OCPP 2.0.1 and 2.1: GetLog, and UpdateFirmware (signed or not). There is no
GetDiagnostics: the services refuse it before opening a job."""

from __future__ import annotations

from typing import Any

from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.ocpp import same_in_every_version as same
from stations.services.commands.adapters import Message
from stations.services.jobs.requests import GetLog, JobAnswer, UpdateFirmware

from .adapter import ADAPTER

ADAPTER.builds(GetLog, fields=same.GET_LOG_FIELDS)(same.get_log)


@ADAPTER.builds(
    UpdateFirmware,
    fields={
        "firmware.retrieveDateTime": "retrieve_at",
        "firmware.installDateTime": "install_at",
        "retryInterval": "retry_interval",
    },
)
def update_firmware(request: UpdateFirmware, version: str) -> Message:
    firmware: dict[str, Any] = {
        "location": request.location,
        "retrieveDateTime": format_ocpp_datetime(request.retrieve_at),
    }
    if request.install_at is not None:
        firmware["installDateTime"] = format_ocpp_datetime(request.install_at)
    if request.signed:
        firmware["signingCertificate"] = request.signing_certificate
        firmware["signature"] = request.signature
    payload: dict[str, Any] = {"requestId": request.request_id, "firmware": firmware}
    if request.retries is not None:
        payload["retries"] = request.retries
    if request.retry_interval is not None:
        payload["retryInterval"] = request.retry_interval
    return Message("UpdateFirmware", payload)


@ADAPTER.reads(UpdateFirmware)
def firmware_answer(request: UpdateFirmware, response: dict[str, Any], version: str) -> JobAnswer:
    return JobAnswer(_status(response) or "Accepted", _file_name(response))


@ADAPTER.reads(GetLog)
def log_answer(request: GetLog, response: dict[str, Any], version: str) -> JobAnswer:
    return JobAnswer(_status(response), _file_name(response))


def _status(response: dict[str, Any]) -> str:
    status = response.get("status")
    return status if isinstance(status, str) else ""


def _file_name(response: dict[str, Any]) -> str:
    return str(response.get("fileName") or response.get("filename") or "")
