"""Version-neutral requests about how energy flows in a running transaction (see
`commands.adapters`): priority charging, dynamic schedule updates, aFRR signals and the
energy transfer modes allowed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from stations.services.commands.adapters import Request


@dataclass(frozen=True, slots=True)
class UsePriorityCharging(Request):
    title: ClassVar[str] = "UsePriorityCharging"
    transaction_id: str
    activate: bool = True


@dataclass(frozen=True, slots=True)
class UpdateDynamicSchedule(Request):
    """New limits or setpoints for a dynamic charging profile; `schedule_update` is OCPP's
    ChargingScheduleUpdateType as the caller gives it."""

    title: ClassVar[str] = "UpdateDynamicSchedule"
    charging_profile_id: int
    schedule_update: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AfrrSignal(Request):
    title: ClassVar[str] = "AFRRSignal"
    signal: int
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class NotifyAllowedEnergyTransfer(Request):
    title: ClassVar[str] = "NotifyAllowedEnergyTransfer"
    transaction_id: str
    allowed_energy_transfer: tuple[str, ...]
