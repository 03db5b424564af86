"""Remote control in OCPP 2.0.1 and 2.1."""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.ocpp import same_in_every_version as same
from stations.services.commands.adapters import Message
from stations.services.commands.request_ids import new_request_id
from stations.services.commands.requests import (
    CENTRAL,
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
from .components import evse

V2X_START_HAS_NO_CONNECTOR = (
    "OCPP 2.x starts a transaction on an EVSE; the station picks the connector."
)


@ADAPTER.builds(Reset)
def reset(request: Reset, version: str) -> Message:
    # 2.x has no soft reset: only a hard reset not told to wait for idle is immediate.
    immediate = request.hard and not request.when_idle
    return Message("Reset", {"type": "Immediate" if immediate else "OnIdle"})


@ADAPTER.builds(ClearCache)
def clear_cache(request: ClearCache, version: str) -> Message:
    return Message("ClearCache", {})


@ADAPTER.builds(
    RemoteStart,
    fields={
        "idToken": "id_token",
        "evseId": "evse_id",
        "chargingProfile": "charging_profile",
        "remoteStartId": "remote_start_id",
    },
)
def remote_start(request: RemoteStart, version: str) -> Message:
    profile = request.charging_profile
    if isinstance(profile, Profile):
        profile = profile_payload(profile, version)
    if request.connector_id is not None:
        raise CommandInvalid(V2X_START_HAS_NO_CONNECTOR, field="connector_id")
    payload: dict[str, Any] = {
        "idToken": {"idToken": request.id_token, "type": CENTRAL},
        "remoteStartId": request.remote_start_id or new_request_id(),
    }
    if request.evse_id is not None:
        payload["evseId"] = request.evse_id
    if profile is not None:
        payload["chargingProfile"] = profile
    return Message("RequestStartTransaction", payload)


@ADAPTER.builds(RemoteStop, fields={"transactionId": "transaction_id"})
def remote_stop(request: RemoteStop, version: str) -> Message:
    return Message("RequestStopTransaction", {"transactionId": str(request.transaction_id)})


@ADAPTER.builds(
    ChangeAvailability, fields={"evse.id": "evse_id", "evse.connectorId": "connector_id"}
)
def change_availability(request: ChangeAvailability, version: str) -> Message:
    if request.evse_id is None and request.connector_id is not None:
        raise CommandInvalid(CONNECTOR_NEEDS_EVSE, field="connector_id")
    payload: dict[str, Any] = {
        "operationalStatus": "Operative" if request.operative else "Inoperative"
    }
    if request.evse_id is not None:
        payload["evse"] = evse(request.evse_id, request.connector_id)
    return Message("ChangeAvailability", payload)


@ADAPTER.builds(UnlockConnector, fields={"evseId": "evse_id", "connectorId": "connector_id"})
def unlock_connector(request: UnlockConnector, version: str) -> Message:
    return Message(
        "UnlockConnector", {"evseId": request.evse_id, "connectorId": request.connector_id}
    )


@ADAPTER.builds(TriggerMessage, fields={"requestedMessage": "message", "evse.id": "evse_id"})
def trigger_message(request: TriggerMessage, version: str) -> Message:
    payload: dict[str, Any] = {"requestedMessage": request.message}
    if request.evse_id is not None:
        payload["evse"] = {"id": request.evse_id}
    return Message("TriggerMessage", payload)


ADAPTER.builds(DataTransfer, fields=same.DATA_TRANSFER_FIELDS)(same.data_transfer)
ADAPTER.reads(DataTransfer)(same.data_transfer_data)
