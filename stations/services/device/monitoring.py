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

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from backoffice.audit import services as audit
from backoffice.lib.units import parse_decimal
from stations.exceptions import CommandInvalid
from stations.models import Command, VariableMonitor
from stations.services.commands import v2x
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import CommandResult, Message, _send
from stations.services.device import device_model

MONITOR_TYPES = ("UpperThreshold", "LowerThreshold", "Delta", "Periodic", "PeriodicClockAligned")
MONITOR_TYPES_V21 = ("TargetDelta", "TargetDeltaRelative")
MONITORING_BASES = ("All", "FactoryDefault", "HardWiredOnly")

SEVERITY_MAX = 9
_MONITOR_REQUIRED = ("component", "variable", "type", "value", "severity")
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

    Each monitor: a component reference (see `v2x`), `type`, `value`, `severity`, and
    optionally `transaction`, `monitor_id`, `periodic_event_stream` (2.1: interval, values).
    """
    version = v2x.require_v2x(station_id, "SetVariableMonitoring")
    message = build_set_variable_monitoring(version=version, monitors=monitors)
    command = _send(station_id, message, caller)
    results = (command.response or {}).get("setMonitoringResult") or []
    outcomes = tuple(_outcome(item) for item in results)
    accepted = [
        (result, request)
        for result, request in _pair(results, message.payload["setMonitoringData"])
        if result.get("status") == "Accepted" and result.get("id") is not None
    ]
    if accepted:
        _store_accepted(command, accepted, caller)
    return SetMonitoringResult(command, outcomes)


def clear_variable_monitoring(
    *, station_id: int, monitor_ids: list[int], caller: Caller = SYSTEM
) -> ClearMonitoringResult:
    """Remove monitors by id; those cleared (or unknown to the station) leave the store."""
    v2x.require_v2x(station_id, "ClearVariableMonitoring")
    command = _send(station_id, build_clear_variable_monitoring(monitor_ids=monitor_ids), caller)
    results = {
        item["id"]: item["status"]
        for item in (command.response or {}).get("clearMonitoringResult") or []
    }
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
    v2x.require_v2x(station_id, "SetMonitoringBase")
    command = _send(station_id, build_set_monitoring_base(monitoring_base=monitoring_base), caller)
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
    v2x.require_v2x(station_id, "SetMonitoringLevel")
    command = _send(station_id, build_set_monitoring_level(severity=severity), caller)
    return CommandResult(command, command.result_status)


# --- payloads --------------------------------------------------------------------------------


def build_set_variable_monitoring(*, version: str, monitors: list[dict[str, Any]]) -> Message:
    if not monitors:
        raise CommandInvalid(NO_MONITORS, field="monitors")
    return Message(
        "SetVariableMonitoring",
        {"setMonitoringData": [_monitoring_data(version, item) for item in monitors]},
    )


def build_clear_variable_monitoring(*, monitor_ids: list[int]) -> Message:
    if not monitor_ids:
        raise CommandInvalid(NO_MONITOR_IDS, field="monitor_ids")
    return Message("ClearVariableMonitoring", {"id": list(monitor_ids)})


def build_set_monitoring_base(*, monitoring_base: str) -> Message:
    if monitoring_base not in MONITORING_BASES:
        raise CommandInvalid(UNKNOWN_MONITORING_BASE, field="monitoring_base")
    return Message("SetMonitoringBase", {"monitoringBase": monitoring_base})


def build_set_monitoring_level(*, severity: int) -> Message:
    _check_severity(severity)
    return Message("SetMonitoringLevel", {"severity": severity})


# --- helpers ---------------------------------------------------------------------------------


def _monitoring_data(version: str, item: Mapping[str, Any]) -> dict[str, Any]:
    if any(item.get(key) in (None, "") for key in _MONITOR_REQUIRED):
        raise CommandInvalid(MONITOR_INCOMPLETE, field="monitors")
    type_ = item["type"]
    allowed = MONITOR_TYPES + (MONITOR_TYPES_V21 if version == v2x.V21 else ())
    if type_ in MONITOR_TYPES_V21:
        v2x.require_v21(version, f"The monitor type {type_}", field="type")
    if type_ not in allowed:
        raise CommandInvalid(UNKNOWN_MONITOR_TYPE.format(types=", ".join(allowed)), field="type")
    _check_severity(item["severity"])
    value = Decimal(str(item["value"]))
    if type_.startswith("Periodic") and value <= 0:
        raise CommandInvalid(PERIODIC_NEEDS_INTERVAL, field="value")
    data: dict[str, Any] = {
        "value": int(value) if value == value.to_integral_value() else float(value),
        "type": type_,
        "severity": item["severity"],
        "component": v2x.component(item),
        "variable": v2x.variable(item),
    }
    if item.get("transaction"):
        data["transaction"] = True
    if item.get("monitor_id") is not None:
        data["id"] = item["monitor_id"]
    stream = item.get("periodic_event_stream")
    if stream:
        v2x.require_v21(version, "A periodic event stream", field="periodic_event_stream")
        data["periodicEventStream"] = {
            key: stream[key] for key in ("interval", "values") if stream.get(key) is not None
        }
    return data


def _check_severity(severity: int) -> None:
    if not 0 <= severity <= SEVERITY_MAX:
        raise CommandInvalid(SEVERITY_RANGE, field="severity")


def _outcome(item: Mapping[str, Any]) -> MonitorOutcome:
    return MonitorOutcome(
        status=item.get("status", ""),
        monitor_id=item.get("id"),
        component=item.get("component", {}).get("name", ""),
        variable=item.get("variable", {}).get("name", ""),
        type=item.get("type", ""),
        severity=item.get("severity", 0),
        reason=(item.get("statusInfo") or {}).get("reasonCode", ""),
    )


def _same_target(result: Mapping[str, Any], request: Mapping[str, Any]) -> bool:
    return all(result.get(key) == request.get(key) for key in ("component", "variable", "type"))


def _pair(
    results: list[dict[str, Any]], requests: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each result with the request it answers: same position, else the same target."""
    pairs = []
    for index, result in enumerate(results):
        if index < len(requests) and _same_target(result, requests[index]):
            pairs.append((result, requests[index]))
            continue
        match = next((request for request in requests if _same_target(result, request)), None)
        if match is not None:
            pairs.append((result, match))
    return pairs


def _store_accepted(
    command: Command, accepted: list[tuple[dict[str, Any], dict[str, Any]]], caller: Caller
) -> None:
    station_id = command.station_id
    keyed = [(_variable_key(result), result, request) for result, request in accepted]
    with transaction.atomic():
        variable_ids = device_model._upsert_variables(
            station_id, dict.fromkeys(key for key, _, _ in keyed)
        )
        rows = {
            result["id"]: VariableMonitor(
                variable_id=variable_ids[key],
                monitor_id=result["id"],
                transaction=bool(request.get("transaction")),
                value=parse_decimal(request["value"]) or Decimal(0),
                type=result["type"],
                severity=result["severity"],
            )
            for key, result, request in keyed
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


def _variable_key(result: Mapping[str, Any]) -> device_model.VariableKey:
    variable = result["variable"]
    return (
        v2x.component_key(result["component"]),
        variable["name"],
        variable.get("instance") or "",
    )
