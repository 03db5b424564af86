"""Device-model reports in OCPP 2.0.1 and 2.1: GetBaseReport and GetReport."""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import Message
from stations.services.device.device_reports import (
    COMPONENT_CRITERIA,
    COMPONENT_NEEDS_NAME,
    REPORT_BASES,
    TOO_MANY_CRITERIA,
    UNKNOWN_CRITERION,
    UNKNOWN_REPORT_BASE,
)
from stations.services.device.requests import GetBaseReport, GetReport
from stations.services.device.types import ComponentVariable

from .adapter import ADAPTER
from .components import component_type, variable_type


@ADAPTER.builds(GetBaseReport, fields={"reportBase": "report_base"})
def get_base_report(request: GetBaseReport, version: str) -> Message:
    if request.report_base not in REPORT_BASES:
        raise CommandInvalid(UNKNOWN_REPORT_BASE, field="report_base")
    return Message(
        "GetBaseReport", {"requestId": request.request_id, "reportBase": request.report_base}
    )


@ADAPTER.builds(
    GetReport,
    fields={
        "componentCriteria": "component_criteria",
        "componentVariable": "component_variables",
    },
)
def get_report(request: GetReport, version: str) -> Message:
    criteria = request.component_criteria
    if any(criterion not in COMPONENT_CRITERIA for criterion in criteria):
        raise CommandInvalid(UNKNOWN_CRITERION, field="component_criteria")
    if len(set(criteria)) != len(criteria):
        raise CommandInvalid(TOO_MANY_CRITERIA, field="component_criteria")
    payload: dict[str, Any] = {"requestId": request.request_id}
    if criteria:
        payload["componentCriteria"] = list(criteria)
    if request.component_variables:
        payload["componentVariable"] = [
            _component_variable(item) for item in request.component_variables
        ]
    return Message("GetReport", payload)


def _component_variable(item: ComponentVariable) -> dict[str, Any]:
    if not item.component:
        raise CommandInvalid(COMPONENT_NEEDS_NAME, field="component_variables")
    entry: dict[str, Any] = {"component": component_type(item, field="component_variables")}
    if item.variable:
        entry["variable"] = variable_type(item)
    return entry
