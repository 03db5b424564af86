"""Messages every version writes alike (1.6 with its security extension): one builder each,
registered on each version's adapter with the `fields` its schema errors map through."""

from __future__ import annotations

from typing import Any

from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.services.commands.adapters import Message
from stations.services.commands.requests import DataTransfer
from stations.services.jobs.requests import GetLog

DATA_TRANSFER_FIELDS = {"vendorId": "vendor_id", "messageId": "message_id"}
GET_LOG_FIELDS = {
    "logType": "log_type",
    "log.oldestTimestamp": "oldest",
    "log.latestTimestamp": "latest",
}


def data_transfer(request: DataTransfer, version: str) -> Message:
    payload: dict[str, Any] = {"vendorId": request.vendor_id}
    if request.message_id is not None:
        payload["messageId"] = request.message_id
    if request.data is not None:
        payload["data"] = request.data
    return Message("DataTransfer", payload)


def data_transfer_data(request: DataTransfer, response: dict[str, Any], version: str) -> Any:
    return response.get("data")


def get_log(request: GetLog, version: str) -> Message:
    log: dict[str, Any] = {"remoteLocation": request.location}
    if request.oldest is not None:
        log["oldestTimestamp"] = format_ocpp_datetime(request.oldest)
    if request.latest is not None:
        log["latestTimestamp"] = format_ocpp_datetime(request.latest)
    return Message(
        "GetLog", {"logType": request.log_type, "requestId": request.request_id, "log": log}
    )
