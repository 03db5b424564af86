"""2.x device-model payloads as received (snake_case) -> the device services' neutral values,
with the specification's defaults applied. Shared by the 2.0.1 and 2.1 sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backoffice.lib.ocpp_time import parse_ocpp_datetime
from stations.services.device.device_model import ACTUAL, READ_WRITE
from stations.services.device.types import (
    ComponentVariable,
    DisplayMessageInfo,
    MessageContent,
    MonitoredVariable,
    ReportedAttribute,
    ReportedEvent,
    ReportedMonitor,
    ReportedVariable,
    StreamParams,
    VariableCharacteristics,
)


def component_variable(
    component: dict[str, Any], variable: dict[str, Any] | None = None
) -> ComponentVariable:
    evse = component.get("evse") or {}
    variable = variable or {}
    return ComponentVariable(
        component=component["name"],
        component_instance=component.get("instance") or "",
        evse_id=evse.get("id"),
        connector_id=evse.get("connector_id"),
        variable=variable.get("name", ""),
        variable_instance=variable.get("instance") or "",
    )


# --- NotifyReport ----------------------------------------------------------------------------


def reported_variables(report_data: list[dict[str, Any]]) -> list[ReportedVariable]:
    return [
        ReportedVariable(
            target=component_variable(item["component"], item["variable"]),
            attributes=tuple(_attribute(data) for data in item.get("variable_attribute") or ()),
            characteristics=_characteristics(item.get("variable_characteristics")),
        )
        for item in report_data
    ]


def _attribute(data: dict[str, Any]) -> ReportedAttribute:
    # The specification's defaults when omitted.
    return ReportedAttribute(
        type=data.get("type") or ACTUAL,
        value=data.get("value", ""),
        mutability=data.get("mutability") or READ_WRITE,
        persistent=data.get("persistent", False),
        constant=data.get("constant", False),
    )


def _characteristics(data: dict[str, Any] | None) -> VariableCharacteristics | None:
    if data is None:
        return None
    return VariableCharacteristics(
        data_type=data["data_type"],
        supports_monitoring=data["supports_monitoring"],
        unit=data.get("unit", ""),
        min_limit=data.get("min_limit"),
        max_limit=data.get("max_limit"),
        values_list=data.get("values_list", ""),
    )


# --- NotifyMonitoringReport ------------------------------------------------------------------


def monitored_variables(monitor: list[dict[str, Any]]) -> list[MonitoredVariable]:
    return [
        MonitoredVariable(
            target=component_variable(item["component"], item["variable"]),
            monitors=tuple(
                ReportedMonitor(
                    monitor_id=data["id"],
                    transaction=data["transaction"],
                    value=data["value"],
                    type=data["type"],
                    severity=data["severity"],
                )
                for data in item["variable_monitoring"]
            ),
        )
        for item in monitor
    ]


# --- NotifyEvent -----------------------------------------------------------------------------


def reported_events(event_data: list[dict[str, Any]]) -> list[ReportedEvent]:
    return [
        ReportedEvent(
            event_id=item["event_id"],
            timestamp=parse_ocpp_datetime(item["timestamp"]).value,
            trigger=item["trigger"],
            event_notification_type=item["event_notification_type"],
            target=component_variable(item["component"], item["variable"]),
            component=item["component"],
            variable=item["variable"],
            actual_value=item["actual_value"],
            cause=item.get("cause"),
            tech_code=item.get("tech_code", ""),
            tech_info=item.get("tech_info", ""),
            cleared=item.get("cleared"),
            transaction_id=item.get("transaction_id", ""),
            variable_monitoring_id=item.get("variable_monitoring_id"),
        )
        for item in event_data
    ]


# --- NotifyDisplayMessages -------------------------------------------------------------------


def display_messages(message_info: list[dict[str, Any]]) -> list[DisplayMessageInfo]:
    return [
        DisplayMessageInfo(
            message_id=info["id"],
            priority=info["priority"],
            content=_content(info["message"]),
            state=info.get("state") or "",
            start_at=_time(info.get("start_date_time")),
            end_at=_time(info.get("end_date_time")),
            transaction_id=info.get("transaction_id") or "",
            extra=tuple(_content(item) for item in info.get("message_extra") or ()),
            display=component_variable(info["display"]) if info.get("display") else None,
        )
        for info in message_info
    ]


def _content(data: dict[str, Any]) -> MessageContent:
    return MessageContent(
        content=data["content"], format=data["format"], language=data.get("language") or ""
    )


def _time(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return parse_ocpp_datetime(raw).value
    except ValueError:
        return None  # a station's unreadable time: the message is kept without it


# --- periodic event streams (2.1) ------------------------------------------------------------


def stream_params(params: dict[str, Any] | None) -> StreamParams:
    params = params or {}
    return StreamParams(interval=params.get("interval"), values=params.get("values"))
