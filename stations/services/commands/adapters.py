"""The version adapters as the services see them: version-neutral requests, and a registry.

A service says what it wants as a version-neutral request: a frozen dataclass subclassing
`Request` (`Reset(hard=True)`), never an OCPP action or field name. The adapter of the
station's OCPP version refuses what its version cannot express (CommandInvalid, nothing
sent), builds the version's message, checks it against the version's schema, and reads the
answer back into a version-neutral value. `outbound.send` does all of that for a service.
A refusal's `field` names the request's field (`id_token`), never a path in the payload.

The adapters live in `stations/ocpp/<version>/outbound/` and are registered at start
(`StationsConfig.ready`, `stations.ocpp.adapters.install`): services never import
`stations.ocpp`. Pages and forms ask `traits` and `supports`, never a version's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from stations.exceptions import CommandInvalid
from stations.models import Station

# A station that never booted has no version yet: it is spoken to in 1.6.
DEFAULT_VERSION = "1.6"
VERSIONS = ("1.6", "2.0.1", "2.1")


class Request:
    """Base of the version-neutral requests. `title` names it in refusals ("SetDisplayMessage"
    in "SetDisplayMessage is an OCPP 2.0.1 / 2.1 command: …")."""

    __slots__ = ()
    title: ClassVar[str] = ""


@dataclass(frozen=True, slots=True)
class Message:
    """One OCPP request as a version writes it: its action and its camelCase JSON payload."""

    action: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Traits:
    """What a version can express, for pages and forms that offer fields (no version names
    outside the adapters). Grows as pages need a new fact."""

    # 1.6: connector N is EVSE N; a connector other than 1 cannot be named.
    one_connector_per_evse: bool
    # 2.x: configuration keys are Component/Variable, and "every key" does not exist.
    component_variable_keys: bool
    # 2.x: device model, monitoring, display messages, reports by request id.
    device_model: bool
    # 2.1: the 2.1-only messages and fields (V2X, DER control, tariffs, ...).
    v21_features: bool
    # The longest id token the version carries (1.6 idTag, 2.x idToken).
    id_token_max: int
    # TriggerMessage's requestedMessage values in the version's schema.
    trigger_messages: tuple[str, ...]
    # 2.x: a reset waits until the station is idle or is immediate; 1.6: it is soft or hard.
    reset_when_idle: bool
    # 2.x: DataTransfer data is any JSON value; 1.6: a string.
    json_data_transfer: bool
    # 2.x: a reservation may name a connector type instead of an EVSE.
    reserve_connector_type: bool
    # Decimal places of a charging schedule's limit (1.6: one).
    limit_decimal_places: int
    # The longest display message content (0: the version has no display messages).
    display_message_max: int


class Adapter(Protocol):
    """What a version's outbound adapter offers the services (stations/ocpp/outbound.py)."""

    version: str
    traits: Traits

    def supports(self, request_type: type[Request]) -> bool: ...

    def refusal_for(self, request_type: type[Request]) -> str: ...

    def build(self, request: Request) -> Message: ...

    def read(self, request: Request, response: dict[str, Any]) -> Any: ...

    def check(self, action: str, payload: dict[str, Any]) -> None: ...


_adapters: dict[str, Adapter] = {}


def register(adapter: Adapter) -> None:
    _adapters[adapter.version] = adapter


def adapter_for(version: str | None) -> Adapter:
    """The adapter of `version` (a station's `ocpp_version`; "" or unknown: 1.6)."""
    if not _adapters:
        raise RuntimeError("No OCPP adapter registered: is the stations app ready?")
    return _adapters.get(version or DEFAULT_VERSION) or _adapters[DEFAULT_VERSION]


def station_version(station_id: int) -> str:
    """The version the station is spoken to in (1.6 before its first boot)."""
    version = Station.objects.values_list("ocpp_version", flat=True).get(pk=station_id)
    return version if version in VERSIONS else DEFAULT_VERSION


def adapter_of(station_id: int) -> Adapter:
    return adapter_for(station_version(station_id))


def traits(version: str | None) -> Traits:
    return adapter_for(version).traits


def supports(version: str | None, request_type: type[Request]) -> bool:
    return adapter_for(version).supports(request_type)


def require(version: str | None, request_type: type[Request]) -> None:
    """CommandInvalid, in the adapter's words, when `version` cannot express `request_type`:
    for services that refuse before they look anything up."""
    adapter = adapter_for(version)
    if not adapter.supports(request_type):
        raise CommandInvalid(adapter.refusal_for(request_type))


def build(*, version: str | None, request: Request) -> Message:
    """The message `request` becomes for `version`; CommandInvalid when it cannot."""
    return adapter_for(version).build(request)
