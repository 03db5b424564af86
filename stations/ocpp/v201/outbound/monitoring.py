"""Monitoring in OCPP 2.0.1 and 2.1: setting and clearing monitors, the monitoring base and
level, and monitoring reports. 2.1 adds monitor types and periodic event streams."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from backoffice.lib.units import parse_decimal
from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import Message
from stations.services.device.monitoring import (
    MONITOR_INCOMPLETE,
    MONITOR_TYPES,
    MONITOR_TYPES_V21,
    MONITORING_BASES,
    NO_MONITOR_IDS,
    NO_MONITORS,
    PERIODIC_NEEDS_INTERVAL,
    SEVERITY_MAX,
    SEVERITY_RANGE,
    UNKNOWN_MONITOR_TYPE,
    UNKNOWN_MONITORING_BASE,
)
from stations.services.device.monitoring_reports import MONITORING_CRITERIA, UNKNOWN_CRITERION
from stations.services.device.requests import (
    ClearVariableMonitoring,
    GetMonitoringReport,
    MonitorAnswer,
    MonitorSetting,
    SetMonitoringBase,
    SetMonitoringLevel,
    SetVariableMonitoring,
)

from .adapter import ADAPTER
from .components import component_type, reported, variable_type
from .only_in_21 import V21, require_v21


@ADAPTER.builds(SetVariableMonitoring, fields={"setMonitoringData": "monitors"})
def set_variable_monitoring(request: SetVariableMonitoring, version: str) -> Message:
    if not request.monitors:
        raise CommandInvalid(NO_MONITORS, field="monitors")
    return Message(
        "SetVariableMonitoring",
        {"setMonitoringData": [_monitoring_data(version, item) for item in request.monitors]},
    )


@ADAPTER.reads(SetVariableMonitoring)
def set_variable_monitoring_answer(
    request: SetVariableMonitoring, response: dict[str, Any], version: str
) -> tuple[MonitorAnswer, ...]:
    sent = [_monitoring_data(version, item) for item in request.monitors]
    return tuple(
        _answer(result, _sent_for(index, result, sent))
        for index, result in enumerate(response.get("setMonitoringResult") or [])
    )


@ADAPTER.builds(ClearVariableMonitoring, fields={"id": "monitor_ids"})
def clear_variable_monitoring(request: ClearVariableMonitoring, version: str) -> Message:
    if not request.monitor_ids:
        raise CommandInvalid(NO_MONITOR_IDS, field="monitor_ids")
    return Message("ClearVariableMonitoring", {"id": list(request.monitor_ids)})


@ADAPTER.reads(ClearVariableMonitoring)
def clear_variable_monitoring_answer(
    request: ClearVariableMonitoring, response: dict[str, Any], version: str
) -> dict[int, str]:
    return {item["id"]: item["status"] for item in response.get("clearMonitoringResult") or []}


@ADAPTER.builds(SetMonitoringBase, fields={"monitoringBase": "monitoring_base"})
def set_monitoring_base(request: SetMonitoringBase, version: str) -> Message:
    if request.monitoring_base not in MONITORING_BASES:
        raise CommandInvalid(UNKNOWN_MONITORING_BASE, field="monitoring_base")
    return Message("SetMonitoringBase", {"monitoringBase": request.monitoring_base})


@ADAPTER.builds(SetMonitoringLevel)
def set_monitoring_level(request: SetMonitoringLevel, version: str) -> Message:
    _check_severity(request.severity)
    return Message("SetMonitoringLevel", {"severity": request.severity})


@ADAPTER.builds(
    GetMonitoringReport,
    fields={"monitoringCriteria": "criteria", "componentVariable": "component_variables"},
)
def get_monitoring_report(request: GetMonitoringReport, version: str) -> Message:
    payload: dict[str, Any] = {"requestId": request.request_id}
    if request.criteria:
        if any(criterion not in MONITORING_CRITERIA for criterion in request.criteria):
            raise CommandInvalid(UNKNOWN_CRITERION, field="criteria")
        payload["monitoringCriteria"] = list(dict.fromkeys(request.criteria))
    if request.component_variables:
        items = []
        for ref in request.component_variables:
            item: dict[str, Any] = {"component": component_type(ref)}
            if ref.variable:
                item["variable"] = variable_type(ref)
            items.append(item)
        payload["componentVariable"] = items
    return Message("GetMonitoringReport", payload)


# --- helpers ---------------------------------------------------------------------------------


def _monitoring_data(version: str, item: MonitorSetting) -> dict[str, Any]:
    target = item.target
    required = (target.component, target.variable, item.type, item.value, item.severity)
    if any(value in (None, "") for value in required):
        raise CommandInvalid(MONITOR_INCOMPLETE, field="monitors")
    type_ = item.type or ""
    allowed = MONITOR_TYPES + (MONITOR_TYPES_V21 if version == V21 else ())
    if type_ in MONITOR_TYPES_V21:
        require_v21(version, f"The monitor type {type_}", field="type")
    if type_ not in allowed:
        raise CommandInvalid(UNKNOWN_MONITOR_TYPE.format(types=", ".join(allowed)), field="type")
    severity = item.severity if item.severity is not None else -1
    _check_severity(severity)
    value = Decimal(str(item.value))
    if type_.startswith("Periodic") and value <= 0:
        raise CommandInvalid(PERIODIC_NEEDS_INTERVAL, field="value")
    data: dict[str, Any] = {
        "value": int(value) if value == value.to_integral_value() else float(value),
        "type": type_,
        "severity": severity,
        "component": component_type(target),
        "variable": variable_type(target),
    }
    if item.transaction:
        data["transaction"] = True
    if item.monitor_id is not None:
        data["id"] = item.monitor_id
    stream = item.periodic_event_stream
    if stream is not None:
        require_v21(version, "A periodic event stream", field="periodic_event_stream")
        data["periodicEventStream"] = {
            key: value
            for key, value in (("interval", stream.interval), ("values", stream.values))
            if value is not None
        }
    return data


def _check_severity(severity: int) -> None:
    if not 0 <= severity <= SEVERITY_MAX:
        raise CommandInvalid(SEVERITY_RANGE, field="severity")


def _same_target(result: dict[str, Any], sent: dict[str, Any]) -> bool:
    return all(result.get(key) == sent.get(key) for key in ("component", "variable", "type"))


def _sent_for(
    index: int, result: dict[str, Any], sent: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The monitor sent that `result` answers: the same position, else the same target."""
    if index < len(sent) and _same_target(result, sent[index]):
        return sent[index]
    return next((item for item in sent if _same_target(result, item)), None)


def _answer(result: dict[str, Any], sent: dict[str, Any] | None) -> MonitorAnswer:
    return MonitorAnswer(
        status=result.get("status", ""),
        monitor_id=result.get("id"),
        target=reported(result.get("component") or {}, result.get("variable")),
        type=result.get("type", ""),
        severity=result.get("severity", 0),
        reason=(result.get("statusInfo") or {}).get("reasonCode", ""),
        matched=sent is not None,
        value=None if sent is None else parse_decimal(sent["value"]),
        transaction=sent is not None and bool(sent.get("transaction")),
    )
