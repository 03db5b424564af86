"""Reservations in OCPP 1.6: a connector (0: any) for an idTag and its parent."""

from __future__ import annotations

from typing import Any

from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import Message
from stations.services.commands.requests import CancelReservation, ReserveNow

from .adapter import ADAPTER

V16_NO_CONNECTOR_TYPE = "OCPP 1.6 reserves a connector, not a connector type: name the EVSE."


@ADAPTER.builds(
    ReserveNow,
    fields={
        "idTag": "id_token",
        "parentIdTag": "group_id_token",
        "connectorId": "evse_id",
        "expiryDate": "expires_at",
    },
)
def reserve_now(request: ReserveNow, version: str) -> Message:
    if request.connector_type:
        raise CommandInvalid(V16_NO_CONNECTOR_TYPE, field="connector_type")
    payload: dict[str, Any] = {
        "connectorId": request.evse_id or 0,
        "expiryDate": format_ocpp_datetime(request.expires_at),
        "idTag": request.id_token,
        "reservationId": request.reservation_id,
    }
    if request.group_id_token:
        payload["parentIdTag"] = request.group_id_token
    return Message("ReserveNow", payload)


@ADAPTER.builds(CancelReservation, fields={"reservationId": "reservation_id"})
def cancel_reservation(request: CancelReservation, version: str) -> Message:
    return Message("CancelReservation", {"reservationId": request.reservation_id})
