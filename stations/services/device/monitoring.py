"""Monitoring (OCPP 2.x functional block N): the monitors a station watches its variables with.

SetVariableMonitoring and ClearVariableMonitoring keep the device model's monitor store
(`VariableMonitor`) in step with what the station accepted: an accepted monitor is stored
under the id the station assigned, a cleared one (or one the station does not know) leaves.
SetMonitoringBase FactoryDefault / HardWiredOnly drops the custom monitors, so the store is
emptied until the next report (`monitoring_reports`). SetMonitoringLevel only changes the
station's own setting.

A 1.6 station gets CommandInvalid before anything is sent. The bus's errors pass through
unchanged (see `remote`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from backoffice.audit import services as audit
from stations.models import Command, VariableMonitor
from stations.services.commands import outbound
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import CommandResult
from stations.services.device import device_model
from stations.services.device.requests import (
    ClearVariableMonitoring,
    MonitorAnswer,
    MonitorSetting,
    SetMonitoringBase,
    SetMonitoringLevel,
    SetVariableMonitoring,
)

# The monitor types of 2.0.1; 2.1 adds MONITOR_TYPES_V21.
MONITOR_TYPES = ("UpperThreshold", "LowerThreshold", "Delta", "Periodic", "PeriodicClockAligned")
MONITOR_TYPES_V21 = ("TargetDelta", "TargetDeltaRelative")
MONITORING_BASES = ("All", "FactoryDefault", "HardWiredOnly")

SEVERITY_MAX = 9
# After these bases the station holds no custom monitors any more.
_BASES_CLEARING_CUSTOM = frozenset({"FactoryDefault", "HardWiredOnly"})
# A clear answered NotFound means the station holds no such monitor: the store drops it too.
_CLEARED = frozenset({"Accepted", "NotFound"})

NO_MONITORS = "Give at least one monitor."
MONITOR_INCOMPLETE = "A monitor needs its component, variable, type, value and severity."
UNKNOWN_MONITOR_TYPE = "The monitor type is one of: {types}."
SEVERITY_RANGE = "The severity is a number from 0 (danger) to 9 (debug)."
PERIODIC_NEEDS_INTERVAL = "A periodic monitor's value is its interval in seconds, above 0."
UNKNOWN_MONITORING_BASE = "The monitoring base is All, FactoryDefault or HardWiredOnly."
NO_MONITOR_IDS = "Give the ids of the monitors to clear."


@dataclass(frozen=True, slots=True)
class MonitorOutcome:
    """The station's answer about one monitor; `monitor_id` is the id the station assigned."""

    status: str
    monitor_id: int | None
    component: str
    variable: str
    type: str
    severity: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SetMonitoringResult:
    command: Command
    results: tuple[MonitorOutcome, ...]


@dataclass(frozen=True, slots=True)
class ClearMonitoringResult:
    command: Command
    # monitor id -> Accepted, Rejected or NotFound
    results: dict[int, str]


# --- services --------------------------------------------------------------------------------


def set_variable_monitoring(
    *, station_id: int, monitors: list[dict[str, Any]], caller: Caller = SYSTEM
) -> SetMonitoringResult:
    """Set (or, with `monitor_id`, replace) monitors; the accepted ones enter the store.

    Each monitor: a component reference (`component`, `component_instance`, `evse_id`,
    `connector_id`, `variable`, `variable_instance`), `type`, `value`, `severity`, and
    optionally `transaction`, `monitor_id`, `periodic_event_stream` (2.1: interval, values).
    """
    request = SetVariableMonitoring(tuple(MonitorSetting.of(item) for item in monitors))
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    answers: tuple[MonitorAnswer, ...] = outcome.answer or ()
    accepted = [
        answer
        for answer in answers
        if answer.status == "Accepted" and answer.monitor_id is not None and answer.matched
    ]
    if accepted:
        _store_accepted(outcome.command, accepted, caller)
    return SetMonitoringResult(outcome.command, tuple(_outcome(answer) for answer in answers))


def clear_variable_monitoring(
    *, station_id: int, monitor_ids: list[int], caller: Caller = SYSTEM
) -> ClearMonitoringResult:
    """Remove monitors by id; those cleared (or unknown to the station) leave the store."""
    request = ClearVariableMonitoring(tuple(monitor_ids))
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    command = outcome.command
    results: dict[int, str] = outcome.answer or {}
    gone = sorted(monitor_id for monitor_id, status in results.items() if status in _CLEARED)
    if gone:
        with transaction.atomic():
            VariableMonitor.objects.filter(
                variable__component__station_id=station_id, monitor_id__in=gone
            ).delete()
            audit.record(
                action="stations.monitors_cleared",
                actor=caller.user,
                actor_label=caller.label,
                target=command.station,
                data={"command_id": command.pk, "monitor_ids": gone},
            )
    return ClearMonitoringResult(command, results)


def set_monitoring_base(
    *, station_id: int, monitoring_base: str, caller: Caller = SYSTEM
) -> CommandResult:
    """Switch the station's monitor set (All, FactoryDefault, HardWiredOnly).

    FactoryDefault and HardWiredOnly remove the custom monitors: once accepted the store is
    emptied for the station, to be read again with `get_monitoring_report`.
    """
    request = SetMonitoringBase(monitoring_base)
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
    status = command.result_status
    if status == "Accepted" and monitoring_base in _BASES_CLEARING_CUSTOM:
        with transaction.atomic():
            VariableMonitor.objects.filter(variable__component__station_id=station_id).delete()
            audit.record(
                action="stations.monitoring_base_set",
                actor=caller.user,
                actor_label=caller.label,
                target=command.station,
                data={"command_id": command.pk, "monitoring_base": monitoring_base},
            )
    return CommandResult(command, status)


def set_monitoring_level(
    *, station_id: int, severity: int, caller: Caller = SYSTEM
) -> CommandResult:
    """Report only events of `severity` or more severe (a lower number) from now on."""
    request = SetMonitoringLevel(severity)
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
    return CommandResult(command, command.result_status)


# --- helpers ---------------------------------------------------------------------------------


def _outcome(answer: MonitorAnswer) -> MonitorOutcome:
    return MonitorOutcome(
        status=answer.status,
        monitor_id=answer.monitor_id,
        component=answer.target.component,
        variable=answer.target.variable,
        type=answer.type,
        severity=answer.severity,
        reason=answer.reason,
    )


def _store_accepted(command: Command, accepted: list[MonitorAnswer], caller: Caller) -> None:
    station_id = command.station_id
    keyed = [(device_model.variable_key(answer.target), answer) for answer in accepted]
    with transaction.atomic():
        variable_ids = device_model.upsert_variables(station_id, (key for key, _ in keyed))
        rows = {
            answer.monitor_id: VariableMonitor(
                variable_id=variable_ids[key],
                monitor_id=answer.monitor_id,
                transaction=answer.transaction,
                value=answer.value or Decimal(0),
                type=answer.type,
                severity=answer.severity,
            )
            for key, answer in keyed
            if answer.monitor_id is not None
        }
        # A monitor id is the station's for the whole station: a replaced monitor may have
        # moved to another variable.
        moved = [
            pk
            for pk, monitor_id, variable_id in VariableMonitor.objects.filter(
                variable__component__station_id=station_id, monitor_id__in=list(rows)
            ).values_list("pk", "monitor_id", "variable_id")
            if variable_id != rows[monitor_id].variable_id
        ]
        if moved:
            VariableMonitor.objects.filter(pk__in=moved).delete()
        VariableMonitor.objects.bulk_create(
            [rows[monitor_id] for monitor_id in sorted(rows)],
            update_conflicts=True,
            unique_fields=["variable", "monitor_id"],
            update_fields=["transaction", "value", "type", "severity", "updated_at"],
        )
        audit.record(
            action="stations.monitors_set",
            actor=caller.user,
            actor_label=caller.label,
            target=command.station,
            data={"command_id": command.pk, "monitor_ids": sorted(rows)},
        )
