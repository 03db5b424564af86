"""Remote management: version-neutral commands to a station, sent through the command bus.

Each service builds the message the station's OCPP version expects (`build_*`, pure, no
database), sends it with `commands.send` and returns a small frozen result. The bus's errors
pass through unchanged: StationNotConnected, CommandTimeout, and CommandInvalid, which is also
raised here, before anything is sent, for a request the station's version cannot express.

Ids follow the domain: 1.6 connector N is EVSE N / connector 1, and 1.6 connector 0 is the
station. A station that never booted has no version yet and is spoken to in 1.6, as the bus
validates it.

`status` on a result is the station's status field, or "" when the station answered with a
CALLERROR (then `command.error_code` says why).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from stations.exceptions import CommandInvalid
from stations.models import Command, Station
from stations.services.commands import bus as commands
from stations.services.commands import outbound, requests
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.device import device_model
from stations.services.security import security_profiles
from stations.services.smart_charging import charging_profiles
from stations.services.smart_charging.charging_profiles import Profile

V16 = "1.6"
_V2X = frozenset({"2.0.1", "2.1"})
# The values a station keeps after one of these answers to a configuration change.
_VALUE_CHANGED = frozenset({"Accepted", "RebootRequired"})
_INT32_MAX = 2**31 - 1

V16_ONE_CONNECTOR_PER_EVSE = (
    "An OCPP 1.6 station has one connector per EVSE: connector N is EVSE N, connector 1."
)
CONNECTOR_NEEDS_EVSE = "A connector is given without its EVSE."
V2X_START_HAS_NO_CONNECTOR = (
    "OCPP 2.x starts a transaction on an EVSE; the station picks the connector."
)
V16_TRANSACTION_ID_NOT_INT = "An OCPP 1.6 transaction id is a whole number."
V2X_CONFIGURATION_NEEDS_KEYS = (
    "OCPP 2.x has no 'all keys': name the variables as Component/Variable, "
    "or ask for a report instead."
)
V2X_KEY_FORMAT = (
    "An OCPP 2.x key is written Component/Variable, e.g. OCPPCommCtrlr/HeartbeatInterval."
)


@dataclass(frozen=True, slots=True)
class Message:
    """One OCPP request: its action and its camelCase JSON payload."""

    action: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CommandResult(Answered):
    command: Command
    status: str


@dataclass(frozen=True, slots=True)
class DataTransferResult:
    command: Command
    status: str
    data: Any = None


@dataclass(frozen=True, slots=True)
class ConfigurationResult:
    """What GetConfiguration / GetVariables returned: values by key, and the keys not known.

    Keys are 1.6 key names, or "Component/Variable" for 2.x.
    """

    command: Command
    values: dict[str, str]
    unknown: tuple[str, ...]


# --- services --------------------------------------------------------------------------------


def remote_start(
    *,
    station_id: int,
    id_token: str,
    evse_id: int | None = None,
    connector_id: int | None = None,
    charging_profile: dict[str, Any] | Profile | None = None,
    remote_start_id: int | None = None,
    caller: Caller = SYSTEM,
) -> CommandResult:
    """Ask the station to start charging for `id_token` (RemoteStart / RequestStart)."""
    message = build_remote_start(
        version=_version(station_id),
        id_token=id_token,
        evse_id=evse_id,
        connector_id=connector_id,
        charging_profile=charging_profile,
        remote_start_id=remote_start_id,
    )
    return _result(_send(station_id, message, caller))


def remote_stop(
    *, station_id: int, transaction_id: str | int, caller: Caller = SYSTEM
) -> CommandResult:
    message = build_remote_stop(version=_version(station_id), transaction_id=transaction_id)
    return _result(_send(station_id, message, caller))


def request_remote_stop(
    *, station_id: int, transaction_id: str | int, caller: Caller = SYSTEM
) -> Command:
    """`remote_stop` without waiting: the command is returned as soon as the process holding
    the station's socket is woken, and that process records the answer on it
    (`commands.dispatch`). Raises StationNotConnected / CommandInvalid like `remote_stop`."""
    message = build_remote_stop(version=_version(station_id), transaction_id=transaction_id)
    return commands.dispatch(
        station_id=station_id, action=message.action, payload=message.payload, caller=caller
    )


def reset(
    *,
    station_id: int,
    hard: bool,
    when_idle: bool = True,
    caller: Caller = SYSTEM,
) -> CommandResult:
    request = requests.Reset(hard=hard, when_idle=when_idle)
    return _result(outbound.send(station_id=station_id, request=request, caller=caller).command)


def change_availability(
    *,
    station_id: int,
    operative: bool,
    evse_id: int | None = None,
    connector_id: int | None = None,
    caller: Caller = SYSTEM,
) -> CommandResult:
    """Make the station (no EVSE), an EVSE or a connector operative or inoperative."""
    message = build_change_availability(
        version=_version(station_id),
        operative=operative,
        evse_id=evse_id,
        connector_id=connector_id,
    )
    return _result(_send(station_id, message, caller))


def unlock_connector(
    *,
    station_id: int,
    evse_id: int,
    connector_id: int = 1,
    caller: Caller = SYSTEM,
) -> CommandResult:
    message = build_unlock_connector(
        version=_version(station_id), evse_id=evse_id, connector_id=connector_id
    )
    return _result(_send(station_id, message, caller))


def trigger_message(
    *,
    station_id: int,
    message: str,
    evse_id: int | None = None,
    caller: Caller = SYSTEM,
) -> CommandResult:
    """Ask the station to send `message` (e.g. "StatusNotification") now."""
    built = build_trigger_message(version=_version(station_id), message=message, evse_id=evse_id)
    return _result(_send(station_id, built, caller))


def clear_cache(*, station_id: int, caller: Caller = SYSTEM) -> CommandResult:
    request = requests.ClearCache()
    return _result(outbound.send(station_id=station_id, request=request, caller=caller).command)


def data_transfer(
    *,
    station_id: int,
    vendor_id: str,
    message_id: str | None = None,
    data: Any = None,
    caller: Caller = SYSTEM,
) -> DataTransferResult:
    """Send a vendor's DataTransfer; `data` is a string in 1.6, any JSON value in 2.x."""
    message = build_data_transfer(vendor_id=vendor_id, message_id=message_id, data=data)
    command = _send(station_id, message, caller)
    return DataTransferResult(command, command.result_status, (command.response or {}).get("data"))


def get_configuration(
    *,
    station_id: int,
    keys: list[str] | None = None,
    caller: Caller = SYSTEM,
) -> ConfigurationResult:
    """Read configuration (1.6 GetConfiguration, 2.x GetVariables) and store it.

    1.6: every key when `keys` is None; keys the station does not know leave the store.
    2.x: `keys` are "Component/Variable" and required; values read become Actual attributes.
    """
    version = _version(station_id)
    message = build_get_configuration(version=version, keys=keys)
    command = _send(station_id, message, caller)
    if command.state != Command.State.ANSWERED:
        return ConfigurationResult(command, {}, ())
    response = command.response or {}
    if version == V16:
        items = response.get("configurationKey") or []
        unknown = tuple(response.get("unknownKey") or ())
        device_model.store_v16_configuration(
            station_id=station_id, keys=items, unknown_keys=unknown
        )
        return ConfigurationResult(
            command, {item["key"]: item.get("value") or "" for item in items}, unknown
        )
    values: dict[tuple[str, str], str] = {}
    unknown_2x: list[str] = []
    for item in response.get("getVariableResult") or []:
        names = (item["component"]["name"], item["variable"]["name"])
        if item.get("attributeStatus") == "Accepted":
            values[names] = item.get("attributeValue") or ""
        elif item.get("attributeStatus") in ("UnknownComponent", "UnknownVariable"):
            unknown_2x.append("/".join(names))
    device_model.store_actual_values(station_id=station_id, values=values)
    return ConfigurationResult(
        command, {"/".join(names): value for names, value in values.items()}, tuple(unknown_2x)
    )


def change_configuration(
    *, station_id: int, key: str, value: str, caller: Caller = SYSTEM
) -> CommandResult:
    """Set one configuration value (1.6 ChangeConfiguration, 2.x SetVariables).

    `key` is "Component/Variable" for 2.x. When the station takes the value (Accepted, or
    RebootRequired: kept, effective after a reboot) the stored value is updated.
    """
    version = _version(station_id)
    message = build_change_configuration(version=version, key=key, value=value)
    profile = None
    if security_profiles.is_profile_key(key):
        profile = security_profiles.parse(value)
        security_profiles.check_not_lowered(station_id=station_id, profile=profile)
    command = _send(station_id, message, caller)
    if version == V16:
        status = command.result_status
        component, variable = device_model.OCPP16_COMPONENT, key
    else:
        results = (command.response or {}).get("setVariableResult") or [{}]
        status = results[0].get("attributeStatus") or ""
        component, variable = _split_key(key)
    if status in _VALUE_CHANGED:
        device_model.store_actual_values(
            station_id=station_id,
            values={(component, variable): value},
        )
        if profile is not None:
            security_profiles.raised(station_id=station_id, profile=profile, caller=caller)
    return CommandResult(command, status)


# --- payloads --------------------------------------------------------------------------------


def build_remote_start(
    *,
    version: str,
    id_token: str,
    evse_id: int | None = None,
    connector_id: int | None = None,
    charging_profile: dict[str, Any] | Profile | None = None,
    remote_start_id: int | None = None,
) -> Message:
    if isinstance(charging_profile, Profile):
        charging_profile = charging_profiles.to_ocpp(charging_profile, version=version)
    if version == V16:
        payload: dict[str, Any] = {"idTag": id_token}
        if evse_id is not None or connector_id is not None:
            payload["connectorId"] = _v16_connector(evse_id, connector_id)
        if charging_profile is not None:
            payload["chargingProfile"] = charging_profile
        return Message("RemoteStartTransaction", payload)
    if connector_id is not None:
        raise CommandInvalid(V2X_START_HAS_NO_CONNECTOR, field="connector_id")
    payload = {
        "idToken": {"idToken": id_token, "type": "Central"},
        "remoteStartId": remote_start_id or secrets.randbelow(_INT32_MAX) + 1,
    }
    if evse_id is not None:
        payload["evseId"] = evse_id
    if charging_profile is not None:
        payload["chargingProfile"] = charging_profile
    return Message("RequestStartTransaction", payload)


def build_remote_stop(*, version: str, transaction_id: str | int) -> Message:
    if version == V16:
        try:
            number = int(transaction_id)
        except ValueError:
            raise CommandInvalid(V16_TRANSACTION_ID_NOT_INT, field="transaction_id") from None
        return Message("RemoteStopTransaction", {"transactionId": number})
    return Message("RequestStopTransaction", {"transactionId": str(transaction_id)})


def build_change_availability(
    *, version: str, operative: bool, evse_id: int | None = None, connector_id: int | None = None
) -> Message:
    status = "Operative" if operative else "Inoperative"
    if evse_id is None and connector_id is not None:
        raise CommandInvalid(CONNECTOR_NEEDS_EVSE, field="connector_id")
    if version == V16:
        connector = 0 if evse_id is None else _v16_connector(evse_id, connector_id)
        return Message("ChangeAvailability", {"connectorId": connector, "type": status})
    payload: dict[str, Any] = {"operationalStatus": status}
    if evse_id is not None:
        payload["evse"] = _evse(evse_id, connector_id)
    return Message("ChangeAvailability", payload)


def build_unlock_connector(*, version: str, evse_id: int, connector_id: int = 1) -> Message:
    if version == V16:
        return Message("UnlockConnector", {"connectorId": _v16_connector(evse_id, connector_id)})
    return Message("UnlockConnector", {"evseId": evse_id, "connectorId": connector_id})


def build_trigger_message(*, version: str, message: str, evse_id: int | None = None) -> Message:
    payload: dict[str, Any] = {"requestedMessage": message}
    if evse_id is not None:
        if version == V16:
            payload["connectorId"] = evse_id
        else:
            payload["evse"] = {"id": evse_id}
    return Message("TriggerMessage", payload)


def build_data_transfer(
    *, vendor_id: str, message_id: str | None = None, data: Any = None
) -> Message:
    payload: dict[str, Any] = {"vendorId": vendor_id}
    if message_id is not None:
        payload["messageId"] = message_id
    if data is not None:
        payload["data"] = data
    return Message("DataTransfer", payload)


def build_get_configuration(*, version: str, keys: list[str] | None = None) -> Message:
    if version == V16:
        return Message("GetConfiguration", {"key": list(keys)} if keys else {})
    if not keys:
        raise CommandInvalid(V2X_CONFIGURATION_NEEDS_KEYS, field="keys")
    return Message(
        "GetVariables",
        {"getVariableData": [_component_variable(*_split_key(key)) for key in keys]},
    )


def build_change_configuration(*, version: str, key: str, value: str) -> Message:
    if version == V16:
        return Message("ChangeConfiguration", {"key": key, "value": value})
    item = _component_variable(*_split_key(key))
    return Message("SetVariables", {"setVariableData": [{**item, "attributeValue": value}]})


# --- helpers ---------------------------------------------------------------------------------


def _version(station_id: int) -> str:
    version = Station.objects.values_list("ocpp_version", flat=True).get(pk=station_id)
    return version if version in _V2X else V16


def _send(station_id: int, message: Message, caller: Caller) -> Command:
    return commands.send(
        station_id=station_id,
        action=message.action,
        payload=message.payload,
        caller=caller,
    )


def _result(command: Command) -> CommandResult:
    return CommandResult(command, command.result_status)


def _v16_connector(evse_id: int | None, connector_id: int | None) -> int:
    if evse_id is None:
        raise CommandInvalid(CONNECTOR_NEEDS_EVSE, field="connector_id")
    if connector_id not in (None, 1):
        raise CommandInvalid(V16_ONE_CONNECTOR_PER_EVSE, field="connector_id")
    return evse_id


def _evse(evse_id: int, connector_id: int | None) -> dict[str, int]:
    evse = {"id": evse_id}
    if connector_id is not None:
        evse["connectorId"] = connector_id
    return evse


def _split_key(key: str) -> tuple[str, str]:
    component, _, variable = key.partition("/")
    if not component or not variable:
        raise CommandInvalid(V2X_KEY_FORMAT, field="key")
    return component, variable


def _component_variable(component: str, variable: str) -> dict[str, Any]:
    return {"component": {"name": component}, "variable": {"name": variable}}
