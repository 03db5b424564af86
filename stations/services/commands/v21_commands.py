"""The small OCPP 2.1-only commands: battery swap, priority charging, dynamic schedule updates,
aFRR signals, allowed energy transfer and web payments.

A 1.6 or 2.0.1 station (or one that never booted) gets CommandInvalid before anything is
sent (`require_v21`). Otherwise as `remote`: pure `build_*` functions, services that send
through the command bus, the bus's errors passed through unchanged. None of these change
what the back office keeps beyond the Command row: their effects come back from the station
(BatterySwap with the request id, NotifyPriorityCharging, TransactionEvent).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.exceptions import CommandInvalid
from stations.models import Command
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.commands.remote import Message, _send, _version

V21 = "2.1"
_INT32_MAX = 2**31 - 1

V21_ONLY = "{action} is an OCPP 2.1 message; this station speaks OCPP {version}."
EMPTY_SCHEDULE_UPDATE = "A schedule update needs at least one limit, discharge limit or setpoint."
NO_ENERGY_TRANSFER_MODE = "Name at least one energy transfer mode the station may use."


@dataclass(frozen=True, slots=True)
class StatusResult(Answered):
    """The station's answer: its status, and the reason code and text it gave (statusInfo).

    `status` is "" when the station answered with a CALLERROR (`command.error_code` says why).
    """

    command: Command
    status: str
    reason: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class BatterySwapRequest(Answered):
    """A RequestBatterySwap's answer; the station's BatterySwap events carry `request_id`."""

    command: Command
    status: str
    request_id: int
    reason: str = ""
    detail: str = ""


# --- services --------------------------------------------------------------------------------


def request_battery_swap(
    *,
    station_id: int,
    id_token: str,
    token_type: str = "Central",  # noqa: S107 - an id token type, not a secret
    request_id: int | None = None,
    caller: Caller = SYSTEM,
) -> BatterySwapRequest:
    """Ask a swap station to release a battery for the driver's `id_token` (S02)."""
    request_id = request_id or secrets.randbelow(_INT32_MAX) + 1
    message = build_request_battery_swap(
        request_id=request_id, id_token=id_token, token_type=token_type
    )
    command = send_v21(station_id, message, caller)
    status = status_of(command)
    return BatterySwapRequest(command, status.status, request_id, status.reason, status.detail)


def use_priority_charging(
    *, station_id: int, transaction_id: str, activate: bool = True, caller: Caller = SYSTEM
) -> StatusResult:
    """Switch a transaction to (or back from) the station's PriorityCharging profile (K21).

    The station answers NoProfile when it has no PriorityCharging profile for the EVSE; it
    confirms the switch later with NotifyPriorityCharging.
    """
    message = build_use_priority_charging(transaction_id=transaction_id, activate=activate)
    return status_of(send_v21(station_id, message, caller))


def update_dynamic_schedule(
    *,
    station_id: int,
    charging_profile_id: int,
    schedule_update: dict[str, Any],
    caller: Caller = SYSTEM,
) -> StatusResult:
    """Push new limits/setpoints into a dynamic charging profile (K28).

    `schedule_update` is a ChargingScheduleUpdateType in camelCase, e.g.
    {"limit": 11000, "setpoint": -3000}; the bus validates it against the 2.1 schema.
    """
    message = build_update_dynamic_schedule(
        charging_profile_id=charging_profile_id, schedule_update=schedule_update
    )
    return status_of(send_v21(station_id, message, caller))


def afrr_signal(
    *,
    station_id: int,
    signal: int,
    timestamp: datetime | None = None,
    caller: Caller = SYSTEM,
) -> StatusResult:
    """Send an aFRR (frequency restoration) signal, active from `timestamp` (default: now)."""
    message = build_afrr_signal(signal=signal, timestamp=timestamp or timezone.now())
    return status_of(send_v21(station_id, message, caller))


def notify_allowed_energy_transfer(
    *,
    station_id: int,
    transaction_id: str,
    allowed_energy_transfer: list[str],
    caller: Caller = SYSTEM,
) -> StatusResult:
    """Tell the station which energy transfer modes (e.g. "DC", "DC_BPT") the back office
    accepts for a transaction, after it rejected the EV's requested mode (Q01)."""
    message = build_notify_allowed_energy_transfer(
        transaction_id=transaction_id, allowed_energy_transfer=allowed_energy_transfer
    )
    return status_of(send_v21(station_id, message, caller))


def notify_web_payment_started(
    *, station_id: int, evse_id: int, timeout: int, caller: Caller = SYSTEM
) -> StatusResult:
    """Tell the station a driver started paying on the web for `evse_id` (QR code, C25);
    no result is to be expected after `timeout` seconds.

    The answer has no status: it is "Accepted" when the station answered at all.
    """
    message = build_notify_web_payment_started(evse_id=evse_id, timeout=timeout)
    command = send_v21(station_id, message, caller)
    status = "Accepted" if command.state == Command.State.ANSWERED else ""
    return StatusResult(command, status)


# --- payloads --------------------------------------------------------------------------------


def build_request_battery_swap(*, request_id: int, id_token: str, token_type: str) -> Message:
    return Message(
        "RequestBatterySwap",
        {"requestId": request_id, "idToken": {"idToken": id_token, "type": token_type}},
    )


def build_use_priority_charging(*, transaction_id: str, activate: bool) -> Message:
    return Message("UsePriorityCharging", {"transactionId": transaction_id, "activate": activate})


def build_update_dynamic_schedule(
    *, charging_profile_id: int, schedule_update: dict[str, Any]
) -> Message:
    if not {key for key in schedule_update if key != "customData"}:
        raise CommandInvalid(EMPTY_SCHEDULE_UPDATE, field="schedule_update")
    return Message(
        "UpdateDynamicSchedule",
        {"chargingProfileId": charging_profile_id, "scheduleUpdate": schedule_update},
    )


def build_afrr_signal(*, signal: int, timestamp: datetime) -> Message:
    return Message("AFRRSignal", {"timestamp": format_ocpp_datetime(timestamp), "signal": signal})


def build_notify_allowed_energy_transfer(
    *, transaction_id: str, allowed_energy_transfer: list[str]
) -> Message:
    if not allowed_energy_transfer:
        raise CommandInvalid(NO_ENERGY_TRANSFER_MODE, field="allowed_energy_transfer")
    return Message(
        "NotifyAllowedEnergyTransfer",
        {"transactionId": transaction_id, "allowedEnergyTransfer": list(allowed_energy_transfer)},
    )


def build_notify_web_payment_started(*, evse_id: int, timeout: int) -> Message:
    return Message("NotifyWebPaymentStarted", {"evseId": evse_id, "timeout": timeout})


# --- shared by the 2.1 services --------------------------------------------------------------


def require_v21(station_id: int, action: str) -> None:
    """Raise CommandInvalid, before anything is sent, unless the station speaks OCPP 2.1."""
    version = _version(station_id)
    if version != V21:
        raise CommandInvalid(V21_ONLY.format(action=action, version=version))


def send_v21(station_id: int, message: Message, caller: Caller) -> Command:
    require_v21(station_id, message.action)
    return _send(station_id, message, caller)


def status_of(command: Command) -> StatusResult:
    info = (command.response or {}).get("statusInfo") or {}
    return StatusResult(
        command,
        command.result_status,
        info.get("reasonCode", ""),
        info.get("additionalInfo", ""),
    )
