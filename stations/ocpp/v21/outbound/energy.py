"""Energy flow in a running transaction, OCPP 2.1 only: priority charging, dynamic schedule
updates, aFRR signals, allowed energy transfer modes."""

from __future__ import annotations

from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.exceptions import CommandInvalid
from stations.ocpp.v201.outbound.answers import read_status
from stations.services.charging.energy_requests import (
    AfrrSignal,
    NotifyAllowedEnergyTransfer,
    UpdateDynamicSchedule,
    UsePriorityCharging,
)
from stations.services.commands.adapters import Message

from .adapter import ADAPTER, builds_new

EMPTY_SCHEDULE_UPDATE = "A schedule update needs at least one limit, discharge limit or setpoint."


@builds_new(UsePriorityCharging, fields={"transactionId": "transaction_id"})
def use_priority_charging(request: UsePriorityCharging, version: str) -> Message:
    return Message(
        "UsePriorityCharging",
        {"transactionId": request.transaction_id, "activate": request.activate},
    )


@builds_new(
    UpdateDynamicSchedule,
    fields={"chargingProfileId": "charging_profile_id", "scheduleUpdate": "schedule_update"},
)
def update_dynamic_schedule(request: UpdateDynamicSchedule, version: str) -> Message:
    if not {key for key in request.schedule_update if key != "customData"}:
        raise CommandInvalid(EMPTY_SCHEDULE_UPDATE, field="schedule_update")
    return Message(
        "UpdateDynamicSchedule",
        {
            "chargingProfileId": request.charging_profile_id,
            "scheduleUpdate": request.schedule_update,
        },
    )


@builds_new(AfrrSignal)
def afrr_signal(request: AfrrSignal, version: str) -> Message:
    return Message(
        "AFRRSignal",
        {"timestamp": format_ocpp_datetime(request.timestamp), "signal": request.signal},
    )


@builds_new(
    NotifyAllowedEnergyTransfer,
    fields={
        "transactionId": "transaction_id",
        "allowedEnergyTransfer": "allowed_energy_transfer",
    },
)
def notify_allowed_energy_transfer(request: NotifyAllowedEnergyTransfer, version: str) -> Message:
    return Message(
        "NotifyAllowedEnergyTransfer",
        {
            "transactionId": request.transaction_id,
            "allowedEnergyTransfer": list(request.allowed_energy_transfer),
        },
    )


for _request_type in (
    UsePriorityCharging,
    UpdateDynamicSchedule,
    AfrrSignal,
    NotifyAllowedEnergyTransfer,
):
    ADAPTER.reads(_request_type)(read_status)
