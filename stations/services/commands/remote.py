"""Remote management: version-neutral commands to a station, sent through the command bus.

Each service asks for a version-neutral request (`requests`) with `outbound.send`; the
adapter of the station's OCPP version builds the message, or refuses with CommandInvalid
(nothing sent) what the version cannot express, and reads the answer back. The bus's errors
pass through unchanged: StationNotConnected, CommandTimeout, CommandInvalid.

`status` on a result is the station's status field, or "" when the station answered with a
CALLERROR (then `command.error_code` says why).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stations.models import Command
from stations.services.commands import adapters, outbound, requests
from stations.services.commands.adapters import Message as Message  # until the merge (below)
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.commands.outbound import Outcome
from stations.services.commands.requests import CONNECTOR_NEEDS_EVSE as CONNECTOR_NEEDS_EVSE
from stations.services.device import device_model
from stations.services.security import security_profiles
from stations.services.smart_charging.charging_profiles import Profile

# The values a station keeps after one of these answers to a configuration change.
_VALUE_CHANGED = frozenset({"Accepted", "RebootRequired"})


@dataclass(frozen=True, slots=True)
class CommandResult(Answered):
    command: Command
    status: str

    @classmethod
    def of(cls, outcome: Outcome[Any]) -> CommandResult:
        return cls(outcome.command, outcome.status)


@dataclass(frozen=True, slots=True)
class StatusResult(Answered):
    """The station's answer: its status, and the reason code and text it gave with it.

    `status` is "" when the station answered with a CALLERROR (`command.error_code` says why).
    """

    command: Command
    status: str
    reason: str = ""
    detail: str = ""

    @classmethod
    def of(cls, outcome: Outcome[requests.Status]) -> StatusResult:
        answer = outcome.answer or requests.Status(outcome.status)
        return cls(outcome.command, outcome.status, answer.reason, answer.detail)


@dataclass(frozen=True, slots=True)
class DataTransferResult:
    command: Command
    status: str
    data: Any = None


@dataclass(frozen=True, slots=True)
class ConfigurationResult:
    """What a configuration read returned: values by key, and the keys not known.

    Keys are flat key names, or "Component/Variable" where the version's keys are.
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
    request = requests.RemoteStart(
        id_token=id_token,
        evse_id=evse_id,
        connector_id=connector_id,
        charging_profile=charging_profile,
        remote_start_id=remote_start_id,
    )
    return CommandResult.of(outbound.send(station_id=station_id, request=request, caller=caller))


def remote_stop(
    *, station_id: int, transaction_id: str | int, caller: Caller = SYSTEM
) -> CommandResult:
    request = requests.RemoteStop(transaction_id=transaction_id)
    return CommandResult.of(outbound.send(station_id=station_id, request=request, caller=caller))


def request_remote_stop(
    *, station_id: int, transaction_id: str | int, caller: Caller = SYSTEM
) -> Command:
    """`remote_stop` without waiting: the command is returned as soon as the process holding
    the station's socket is woken, and that process records the answer on it
    (`outbound.dispatch`). Raises StationNotConnected / CommandInvalid like `remote_stop`."""
    request = requests.RemoteStop(transaction_id=transaction_id)
    return outbound.dispatch(station_id=station_id, request=request, caller=caller)


def reset(
    *,
    station_id: int,
    hard: bool,
    when_idle: bool = True,
    caller: Caller = SYSTEM,
) -> CommandResult:
    request = requests.Reset(hard=hard, when_idle=when_idle)
    return CommandResult.of(outbound.send(station_id=station_id, request=request, caller=caller))


def change_availability(
    *,
    station_id: int,
    operative: bool,
    evse_id: int | None = None,
    connector_id: int | None = None,
    caller: Caller = SYSTEM,
) -> CommandResult:
    """Make the station (no EVSE), an EVSE or a connector operative or inoperative."""
    request = requests.ChangeAvailability(
        operative=operative, evse_id=evse_id, connector_id=connector_id
    )
    return CommandResult.of(outbound.send(station_id=station_id, request=request, caller=caller))


def unlock_connector(
    *,
    station_id: int,
    evse_id: int,
    connector_id: int = 1,
    caller: Caller = SYSTEM,
) -> CommandResult:
    request = requests.UnlockConnector(evse_id=evse_id, connector_id=connector_id)
    return CommandResult.of(outbound.send(station_id=station_id, request=request, caller=caller))


def trigger_message(
    *,
    station_id: int,
    message: str,
    evse_id: int | None = None,
    caller: Caller = SYSTEM,
) -> CommandResult:
    """Ask the station to send `message` (e.g. "StatusNotification") now."""
    request = requests.TriggerMessage(message=message, evse_id=evse_id)
    return CommandResult.of(outbound.send(station_id=station_id, request=request, caller=caller))


def clear_cache(*, station_id: int, caller: Caller = SYSTEM) -> CommandResult:
    request = requests.ClearCache()
    return CommandResult.of(outbound.send(station_id=station_id, request=request, caller=caller))


def data_transfer(
    *,
    station_id: int,
    vendor_id: str,
    message_id: str | None = None,
    data: Any = None,
    caller: Caller = SYSTEM,
) -> DataTransferResult:
    """Send a vendor's DataTransfer; `data` is a string in 1.6, any JSON value in 2.x."""
    request = requests.DataTransfer(vendor_id=vendor_id, message_id=message_id, data=data)
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    return DataTransferResult(outcome.command, outcome.status, outcome.answer)


def get_configuration(
    *,
    station_id: int,
    keys: list[str] | None = None,
    caller: Caller = SYSTEM,
) -> ConfigurationResult:
    """Read configuration and store it.

    Flat keys: every key when `keys` is None; keys the station does not know leave the store.
    "Component/Variable" keys: required; values read become Actual attributes.
    """
    flat = not adapters.traits(adapters.station_version(station_id)).component_variable_keys
    request = requests.GetConfiguration(keys=tuple(keys or ()))
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    read: requests.Configuration | None = outcome.answer
    if read is None:
        return ConfigurationResult(outcome.command, {}, ())
    if flat:
        device_model.store_v16_configuration(
            station_id=station_id, keys=read.values, unknown_keys=read.unknown
        )
    else:
        device_model.store_actual_values(
            station_id=station_id,
            values={(item.component, item.variable): item.value for item in read.values},
        )
    values = {item.key: item.value for item in read.values}
    return ConfigurationResult(outcome.command, values, read.unknown)


def change_configuration(
    *, station_id: int, key: str, value: str, caller: Caller = SYSTEM
) -> CommandResult:
    """Set one configuration value.

    `key` is "Component/Variable" where the version's keys are. When the station takes the
    value (Accepted, or RebootRequired: kept, effective after a reboot) the stored value is
    updated.
    """
    version = adapters.station_version(station_id)
    request = requests.ChangeConfiguration(key=key, value=value)
    profile = None
    if security_profiles.is_profile_key(key):
        # A key the version cannot name is refused before the profile is looked at.
        adapters.build(version=version, request=request)
        profile = security_profiles.parse(value)
        security_profiles.check_not_lowered(station_id=station_id, profile=profile)
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    status: str = outcome.answer or ""
    if adapters.traits(version).component_variable_keys:
        component, _, variable = key.partition("/")
    else:
        component, variable = device_model.OCPP16_COMPONENT, key
    if status in _VALUE_CHANGED:
        device_model.store_actual_values(
            station_id=station_id,
            values={(component, variable): value},
        )
        if profile is not None:
            security_profiles.raised(station_id=station_id, profile=profile, caller=caller)
    return CommandResult(outcome.command, status)
