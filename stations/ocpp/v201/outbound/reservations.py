"""Reservations in OCPP 2.0.1 and 2.1: an EVSE (none: any) or a connector type, for typed
id tokens."""

from __future__ import annotations

from typing import Any

from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.services.commands.adapters import Message
from stations.services.commands.requests import CancelReservation, ReserveNow

from .adapter import ADAPTER


@ADAPTER.builds(
    ReserveNow,
    fields={
        "idToken": "id_token",
        "groupIdToken": "group_id_token",
        "evseId": "evse_id",
        "connectorType": "connector_type",
        "expiryDateTime": "expires_at",
    },
)
def reserve_now(request: ReserveNow, version: str) -> Message:
    payload: dict[str, Any] = {
        "id": request.reservation_id,
        "expiryDateTime": format_ocpp_datetime(request.expires_at),
        "idToken": {"idToken": request.id_token, "type": request.id_token_type},
    }
    if request.evse_id is not None:
        payload["evseId"] = request.evse_id
    if request.connector_type:
        payload["connectorType"] = request.connector_type
    if request.group_id_token:
        payload["groupIdToken"] = {
            "idToken": request.group_id_token,
            "type": request.group_id_token_type,
        }
    return Message("ReserveNow", payload)


@ADAPTER.builds(CancelReservation, fields={"reservationId": "reservation_id"})
def cancel_reservation(request: CancelReservation, version: str) -> Message:
    return Message("CancelReservation", {"reservationId": request.reservation_id})
