"""The charging core's requests only OCPP 2.1 has: battery swaps and web payments."""

from __future__ import annotations

from stations.ocpp.v201.outbound.answers import read_status
from stations.services.charging.requests import NotifyWebPaymentStarted, RequestBatterySwap
from stations.services.commands.adapters import Message

from .adapter import ADAPTER, builds_new


@builds_new(
    RequestBatterySwap,
    fields={"requestId": "request_id", "idToken": "id_token", "idToken.type": "token_type"},
)
def request_battery_swap(request: RequestBatterySwap, version: str) -> Message:
    return Message(
        "RequestBatterySwap",
        {
            "requestId": request.request_id,
            "idToken": {"idToken": request.id_token, "type": request.token_type},
        },
    )


ADAPTER.reads(RequestBatterySwap)(read_status)


@builds_new(NotifyWebPaymentStarted, fields={"evseId": "evse_id"})
def notify_web_payment_started(request: NotifyWebPaymentStarted, version: str) -> Message:
    return Message(
        "NotifyWebPaymentStarted", {"evseId": request.evse_id, "timeout": request.timeout}
    )
