"""What the OCPP 2.x-only commands share: the version gate, request ids and component refs.

Going away (issue 12): the gate becomes the adapters' refusals, `new_request_id` lives in
`request_ids`, the component helpers in `stations/ocpp/v201/outbound/components.py`. Kept
until the merge for the device services that still import it.

A 1.6 station (or one that never booted, spoken to in 1.6) is refused before anything is sent.
Component references given to services are flat dicts: `component`, `component_instance`,
`evse_id`, `connector_id`, `variable`, `variable_instance` (all but the names optional).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import station_version
from stations.services.commands.request_ids import new_request_id as new_request_id

V16 = "1.6"
V21 = "2.1"

V2X_ONLY = "{action} is an OCPP 2.0.1 / 2.1 command: this station speaks OCPP 1.6."
V21_ONLY = "{what} exists only in OCPP 2.1: this station speaks OCPP 2.0.1."
CONNECTOR_NEEDS_EVSE = "A connector is given without its EVSE."


def require_v2x(station_id: int, action: str) -> str:
    """The station's version ("2.0.1" or "2.1"); CommandInvalid for a 1.6 station."""
    version = station_version(station_id)
    if version == V16:
        raise CommandInvalid(V2X_ONLY.format(action=action))
    return version


def require_v21(version: str, what: str, *, field: str | None = None) -> None:
    if version != V21:
        raise CommandInvalid(V21_ONLY.format(what=what), field=field)


def component(ref: Mapping[str, Any], *, field: str = "component") -> dict[str, Any]:
    """The 2.x ComponentType of a flat reference."""
    result: dict[str, Any] = {"name": ref["component"]}
    if ref.get("component_instance"):
        result["instance"] = ref["component_instance"]
    evse_id, connector_id = ref.get("evse_id"), ref.get("connector_id")
    if evse_id is None and connector_id is not None:
        raise CommandInvalid(CONNECTOR_NEEDS_EVSE, field=field)
    if evse_id is not None:
        result["evse"] = {"id": evse_id}
        if connector_id is not None:
            result["evse"]["connectorId"] = connector_id
    return result


def variable(ref: Mapping[str, Any]) -> dict[str, Any]:
    """The 2.x VariableType of a flat reference."""
    result: dict[str, Any] = {"name": ref["variable"]}
    if ref.get("variable_instance"):
        result["instance"] = ref["variable_instance"]
    return result


def component_key(data: Mapping[str, Any]) -> tuple[str, str, int, int]:
    """The device model's component key of a camelCase ComponentType."""
    evse = data.get("evse") or {}
    return (
        data["name"],
        data.get("instance") or "",
        evse.get("id") or 0,
        evse.get("connectorId") or 0,
    )
