"""Version-neutral values of the device model, as the services take them.

The 2.x session adapters turn what a station reports (NotifyReport, NotifyMonitoringReport,
NotifyEvent, NotifyDisplayMessages, event streams) into these before a service sees it, with
the specification's defaults already applied; the requests (`requests.py`) use them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

# A number as a station or a caller wrote it; the services parse it (`parse_decimal`).
Number = Decimal | int | float | str


@dataclass(frozen=True, slots=True)
class ComponentVariable:
    """A component (EVSE N / connector M when given), and optionally one of its variables."""

    component: str
    component_instance: str = ""
    evse_id: int | None = None
    connector_id: int | None = None
    variable: str = ""
    variable_instance: str = ""


# --- NotifyReport ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportedAttribute:
    """One attribute of a reported variable (Actual, Target, MinSet, MaxSet)."""

    type: str
    value: str
    mutability: str
    persistent: bool = False
    constant: bool = False


@dataclass(frozen=True, slots=True)
class VariableCharacteristics:
    data_type: str
    supports_monitoring: bool
    unit: str = ""
    min_limit: Number | None = None
    max_limit: Number | None = None
    values_list: str = ""


@dataclass(frozen=True, slots=True)
class ReportedVariable:
    """One item of a report page: a variable, its attributes, and its characteristics when the
    page carries them (None: keep what is stored)."""

    target: ComponentVariable
    attributes: tuple[ReportedAttribute, ...] = ()
    characteristics: VariableCharacteristics | None = None


# --- NotifyMonitoringReport ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportedMonitor:
    monitor_id: int
    transaction: bool
    value: Number
    type: str
    severity: int


@dataclass(frozen=True, slots=True)
class MonitoredVariable:
    target: ComponentVariable
    monitors: tuple[ReportedMonitor, ...]


# --- NotifyEvent -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportedEvent:
    """One event of a NotifyEvent. `component` and `variable` are kept as the station wrote
    them (stored verbatim on the event); `target` is what they name."""

    event_id: int
    timestamp: datetime
    trigger: str
    event_notification_type: str
    target: ComponentVariable
    component: dict[str, Any]
    variable: dict[str, Any]
    actual_value: str
    cause: int | None = None
    tech_code: str = ""
    tech_info: str = ""
    cleared: bool | None = None
    transaction_id: str = ""
    variable_monitoring_id: int | None = None


# --- display messages ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageContent:
    content: str
    format: str = "UTF8"
    language: str = ""

    def as_dict(self) -> dict[str, str]:
        """As kept on a DisplayMessage (`extra`): the language only when there is one."""
        result = {"format": self.format, "content": self.content}
        if self.language:
            result["language"] = self.language
        return result


@dataclass(frozen=True, slots=True)
class DisplayMessageInfo:
    """A display message as a station reports it. A time it wrote unreadably is None."""

    message_id: int
    priority: str
    content: MessageContent
    state: str = ""
    start_at: datetime | None = None
    end_at: datetime | None = None
    transaction_id: str = ""
    extra: tuple[MessageContent, ...] = ()
    display: ComponentVariable | None = None


# --- periodic event streams (2.1) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StreamParams:
    """When a stream is flushed: every `interval` seconds and/or every `values` values."""

    interval: int | None = None
    values: int | None = None


@dataclass(frozen=True, slots=True)
class OpenStream:
    stream_id: int
    variable_monitoring_id: int
    params: StreamParams
