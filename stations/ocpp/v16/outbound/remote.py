"""Remote control in OCPP 1.6: connector N is EVSE N, connector 0 the station."""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.ocpp import same_in_every_version as same
from stations.services.commands.adapters import Message
from stations.services.commands.requests import (
    CONNECTOR_NEEDS_EVSE,
    ChangeAvailability,
    ClearCache,
    DataTransfer,
    RemoteStart,
    RemoteStop,
    Reset,
    TriggerMessage,
    UnlockConnector,
)
from stations.services.smart_charging.charging_profiles import Profile

from .adapter import ADAPTER
from .charging_profiles import profile_payload

V16_ONE_CONNECTOR_PER_EVSE = (
    "An OCPP 1.6 station has one connector per EVSE: connector N is EVSE N, connector 1."
)
V16_TRANSACTION_ID_NOT_INT = "An OCPP 1.6 transaction id is a whole number."


@ADAPTER.builds(Reset)
def reset(request: Reset, version: str) -> Message:
    return Message("Reset", {"type": "Hard" if request.hard else "Soft"})


@ADAPTER.builds(ClearCache)
def clear_cache(request: ClearCache, version: str) -> Message:
    return Message("ClearCache", {})


@ADAPTER.builds(
    RemoteStart,
    fields={"idTag": "id_token", "connectorId": "evse_id", "chargingProfile": "charging_profile"},
)
def remote_start(request: RemoteStart, version: str) -> Message:
    profile = request.charging_profile
    if isinstance(profile, Profile):
        profile = profile_payload(profile)
    payload: dict[str, Any] = {"idTag": request.id_token}
    if request.evse_id is not None or request.connector_id is not None:
        payload["connectorId"] = connector(request.evse_id, request.connector_id)
    if profile is not None:
        payload["chargingProfile"] = profile
    return Message("RemoteStartTransaction", payload)


@ADAPTER.builds(RemoteStop, fields={"transactionId": "transaction_id"})
def remote_stop(request: RemoteStop, version: str) -> Message:
    try:
        number = int(request.transaction_id)
    except ValueError:
        raise CommandInvalid(V16_TRANSACTION_ID_NOT_INT, field="transaction_id") from None
    return Message("RemoteStopTransaction", {"transactionId": number})


@ADAPTER.builds(ChangeAvailability, fields={"connectorId": "evse_id"})
def change_availability(request: ChangeAvailability, version: str) -> Message:
    status = "Operative" if request.operative else "Inoperative"
    evse_id, connector_id = request.evse_id, request.connector_id
    station_wide = evse_id is None and connector_id is None
    number = 0 if station_wide else connector(evse_id, connector_id)
    return Message("ChangeAvailability", {"connectorId": number, "type": status})


@ADAPTER.builds(UnlockConnector, fields={"connectorId": "evse_id"})
def unlock_connector(request: UnlockConnector, version: str) -> Message:
    return Message(
        "UnlockConnector", {"connectorId": connector(request.evse_id, request.connector_id)}
    )


@ADAPTER.builds(TriggerMessage, fields={"requestedMessage": "message", "connectorId": "evse_id"})
def trigger_message(request: TriggerMessage, version: str) -> Message:
    payload: dict[str, Any] = {"requestedMessage": request.message}
    if request.evse_id is not None:
        payload["connectorId"] = request.evse_id
    return Message("TriggerMessage", payload)


ADAPTER.builds(DataTransfer, fields=same.DATA_TRANSFER_FIELDS)(same.data_transfer)
ADAPTER.reads(DataTransfer)(same.data_transfer_data)


def connector(evse_id: int | None, connector_id: int | None) -> int:
    """The 1.6 connector of EVSE `evse_id`'s connector `connector_id` (None: its only one)."""
    if evse_id is None:
        raise CommandInvalid(CONNECTOR_NEEDS_EVSE, field="connector_id")
    if connector_id not in (None, 1):
        raise CommandInvalid(V16_ONE_CONNECTOR_PER_EVSE, field="connector_id")
    return evse_id
