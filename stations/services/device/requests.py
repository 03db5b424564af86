"""Version-neutral requests of the device model (see `commands.adapters`): reports, monitoring,
display messages, customer information, network profiles and periodic event streams.

The adapter of the station's version checks them against what that version can express and
refuses with the services' messages (CommandInvalid, nothing sent); the answers that carry
more than a status are read back into the small values defined here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from stations.services.commands.adapters import Request
from stations.services.device.types import (
    ComponentVariable,
    MessageContent,
    Number,
    OpenStream,
    StreamParams,
)

# --- reports ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GetBaseReport(Request):
    title: ClassVar[str] = "GetBaseReport"
    request_id: int
    report_base: str


@dataclass(frozen=True, slots=True)
class GetReport(Request):
    """A custom report on the components matching `component_criteria` and/or naming
    `component_variables`; neither: every component."""

    title: ClassVar[str] = "GetReport"
    request_id: int
    component_criteria: tuple[str, ...] = ()
    component_variables: tuple[ComponentVariable, ...] = ()


@dataclass(frozen=True, slots=True)
class GetMonitoringReport(Request):
    """The station's monitors; a component variable without a variable names the component."""

    title: ClassVar[str] = "GetMonitoringReport"
    request_id: int
    criteria: tuple[str, ...] = ()
    component_variables: tuple[ComponentVariable, ...] = ()


# --- monitoring ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonitorSetting:
    """One monitor to set, as a caller gave it: what is missing is refused when it is built
    (so a station that cannot take monitors at all is told first)."""

    target: ComponentVariable
    type: str | None
    value: Number | None
    severity: int | None
    transaction: bool = False
    # Replaces the station's monitor of this id.
    monitor_id: int | None = None
    # 2.1: the monitor's values go out as a periodic event stream.
    periodic_event_stream: StreamParams | None = None

    @classmethod
    def of(cls, item: Mapping[str, Any]) -> MonitorSetting:
        """From the flat mapping the services take: a component reference (`component`,
        `component_instance`, `evse_id`, `connector_id`, `variable`, `variable_instance`),
        `type`, `value`, `severity`, and optionally `transaction`, `monitor_id` and
        `periodic_event_stream` ({"interval", "values"})."""
        stream = item.get("periodic_event_stream")
        return cls(
            target=component_variable(item, required=False),
            type=item.get("type"),
            value=item.get("value"),
            severity=item.get("severity"),
            transaction=bool(item.get("transaction")),
            monitor_id=item.get("monitor_id"),
            periodic_event_stream=(
                StreamParams(interval=stream.get("interval"), values=stream.get("values"))
                if stream
                else None
            ),
        )


@dataclass(frozen=True, slots=True)
class SetVariableMonitoring(Request):
    title: ClassVar[str] = "SetVariableMonitoring"
    monitors: tuple[MonitorSetting, ...]


@dataclass(frozen=True, slots=True)
class MonitorAnswer:
    """The station's answer about one monitor of a SetVariableMonitoring.

    `target`, `type` and `severity` are the station's; `matched` says whether a monitor of the
    request answers to them (same position, else the same target), and then `value` and
    `transaction` are what was sent for it.
    """

    status: str
    monitor_id: int | None
    target: ComponentVariable
    type: str
    severity: int
    reason: str = ""
    matched: bool = False
    value: Decimal | None = None
    transaction: bool = False


@dataclass(frozen=True, slots=True)
class ClearVariableMonitoring(Request):
    """Answered by the status of each id (`dict[int, str]`: Accepted, Rejected, NotFound)."""

    title: ClassVar[str] = "ClearVariableMonitoring"
    monitor_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SetMonitoringBase(Request):
    title: ClassVar[str] = "SetMonitoringBase"
    monitoring_base: str


@dataclass(frozen=True, slots=True)
class SetMonitoringLevel(Request):
    title: ClassVar[str] = "SetMonitoringLevel"
    severity: int


# --- display messages ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetDisplayMessage(Request):
    title: ClassVar[str] = "SetDisplayMessage"
    message_id: int
    content: MessageContent
    priority: str = "NormalCycle"
    state: str = ""
    start_at: datetime | None = None
    end_at: datetime | None = None
    transaction_id: str = ""
    # The display meant (a component reference; its variable is not used).
    display: ComponentVariable | None = None
    # 2.1: more contents, e.g. other languages.
    extra: tuple[MessageContent, ...] = ()


@dataclass(frozen=True, slots=True)
class GetDisplayMessages(Request):
    """The station's messages: all, or those matching every filter given."""

    title: ClassVar[str] = "GetDisplayMessages"
    request_id: int
    message_ids: tuple[int, ...] = ()
    priority: str = ""
    state: str = ""


@dataclass(frozen=True, slots=True)
class ClearDisplayMessage(Request):
    title: ClassVar[str] = "ClearDisplayMessage"
    message_id: int


# --- customer information --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertificateHash:
    """A customer certificate's hash data; what a caller left out is refused when built."""

    hash_algorithm: str = ""
    issuer_name_hash: str = ""
    issuer_key_hash: str = ""
    serial_number: str = ""


@dataclass(frozen=True, slots=True)
class CustomerInformation(Request):
    """Report and/or clear what the station keeps about one customer, named by exactly one of
    an id token (with its type), a customer identifier, or a certificate."""

    title: ClassVar[str] = "CustomerInformation"
    request_id: int
    report: bool
    clear: bool
    id_token: str = ""
    id_token_type: str = ""
    customer_identifier: str = ""
    customer_certificate: CertificateHash | None = None


# --- network profiles ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectionProfile:
    """Where and how the station connects; what a caller left out is refused when built.

    `apn` and `vpn` hold their fields in snake_case as the services take them.
    """

    ocpp_csms_url: str | None = None
    security_profile: int | None = None
    ocpp_interface: str | None = None
    ocpp_transport: str = ""
    message_timeout: int | None = None
    ocpp_version: str = ""
    identity: str = ""
    basic_auth_password: str = ""
    apn: Mapping[str, Any] | None = None
    vpn: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> ConnectionProfile:
        return cls(
            ocpp_csms_url=data.get("ocpp_csms_url"),
            security_profile=data.get("security_profile"),
            ocpp_interface=data.get("ocpp_interface"),
            ocpp_transport=data.get("ocpp_transport") or "",
            message_timeout=data.get("message_timeout"),
            ocpp_version=data.get("ocpp_version") or "",
            identity=data.get("identity") or "",
            basic_auth_password=data.get("basic_auth_password") or "",
            apn=data.get("apn") or None,
            vpn=data.get("vpn") or None,
        )


@dataclass(frozen=True, slots=True)
class SetNetworkProfile(Request):
    """Store `connection` in slot `configuration_slot`; a profile below
    `current_security_profile` (the station's) is refused."""

    title: ClassVar[str] = "SetNetworkProfile"
    configuration_slot: int
    connection: ConnectionProfile
    current_security_profile: int = 0


# --- periodic event streams (2.1) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GetPeriodicEventStream(Request):
    """Answered with the station's `OpenStreams`."""

    title: ClassVar[str] = "GetPeriodicEventStream"


@dataclass(frozen=True, slots=True)
class OpenStreams:
    """The station's open streams, and the list as it wrote it (what the services return to
    their callers)."""

    streams: tuple[OpenStream, ...]
    as_sent: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class AdjustPeriodicEventStream(Request):
    """Answered with a `StatusInfo`."""

    title: ClassVar[str] = "AdjustPeriodicEventStream"
    stream_id: int
    params: StreamParams


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """The reason code and text a station gave with its status."""

    reason: str = ""
    detail: str = ""


# --- helpers ---------------------------------------------------------------------------------


def component_variable(ref: Mapping[str, Any], *, required: bool = True) -> ComponentVariable:
    """The flat component reference the services take (`component`, `component_instance`,
    `evse_id`, `connector_id`, `variable`, `variable_instance`), as a value. `required`: a
    reference without its component is a caller's mistake (KeyError)."""
    return ComponentVariable(
        component=ref["component"] if required else ref.get("component") or "",
        component_instance=ref.get("component_instance") or "",
        evse_id=ref.get("evse_id"),
        connector_id=ref.get("connector_id"),
        variable=ref.get("variable") or "",
        variable_instance=ref.get("variable_instance") or "",
    )
