"""How energy flows in a running transaction, asked of OCPP 2.1 stations: priority charging,
dynamic schedule updates, aFRR signals and the energy transfer modes allowed.

A version without these messages is refused by its adapter (CommandInvalid, nothing sent).
None of them change what the back office keeps beyond the Command row: their effects come back
from the station (NotifyPriorityCharging, TransactionEvent).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from stations.exceptions import CommandInvalid
from stations.services.charging import energy_requests as requests
from stations.services.commands import outbound
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import StatusResult

NO_ENERGY_TRANSFER_MODE = "Name at least one energy transfer mode the station may use."


def use_priority_charging(
    *, station_id: int, transaction_id: str, activate: bool = True, caller: Caller = SYSTEM
) -> StatusResult:
    """Switch a transaction to (or back from) the station's PriorityCharging profile (K21).

    The station answers NoProfile when it has no PriorityCharging profile for the EVSE; it
    confirms the switch later with NotifyPriorityCharging.
    """
    request = requests.UsePriorityCharging(transaction_id=transaction_id, activate=activate)
    return StatusResult.of(outbound.send(station_id=station_id, request=request, caller=caller))


def update_dynamic_schedule(
    *,
    station_id: int,
    charging_profile_id: int,
    schedule_update: dict[str, Any],
    caller: Caller = SYSTEM,
) -> StatusResult:
    """Push new limits/setpoints into a dynamic charging profile (K28).

    `schedule_update` is a ChargingScheduleUpdateType in camelCase, e.g.
    {"limit": 11000, "setpoint": -3000}; it is checked against the 2.1 schema.
    """
    request = requests.UpdateDynamicSchedule(
        charging_profile_id=charging_profile_id, schedule_update=schedule_update
    )
    return StatusResult.of(outbound.send(station_id=station_id, request=request, caller=caller))


def afrr_signal(
    *,
    station_id: int,
    signal: int,
    timestamp: datetime | None = None,
    caller: Caller = SYSTEM,
) -> StatusResult:
    """Send an aFRR (frequency restoration) signal, active from `timestamp` (default: now)."""
    request = requests.AfrrSignal(signal=signal, timestamp=timestamp or timezone.now())
    return StatusResult.of(outbound.send(station_id=station_id, request=request, caller=caller))


def notify_allowed_energy_transfer(
    *,
    station_id: int,
    transaction_id: str,
    allowed_energy_transfer: list[str],
    caller: Caller = SYSTEM,
) -> StatusResult:
    """Tell the station which energy transfer modes (e.g. "DC", "DC_BPT") the back office
    accepts for a transaction, after it rejected the EV's requested mode (Q01)."""
    if not allowed_energy_transfer:
        raise CommandInvalid(NO_ENERGY_TRANSFER_MODE, field="allowed_energy_transfer")
    request = requests.NotifyAllowedEnergyTransfer(
        transaction_id=transaction_id, allowed_energy_transfer=tuple(allowed_energy_transfer)
    )
    return StatusResult.of(outbound.send(station_id=station_id, request=request, caller=caller))
