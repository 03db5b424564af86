"""The 2.x ComponentType and VariableType of the device model's references.

Component references given to services are flat dicts: `component`, `component_instance`,
`evse_id`, `connector_id`, `variable`, `variable_instance` (all but the names optional).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.commands.requests import CONNECTOR_NEEDS_EVSE


def component(ref: Mapping[str, Any], *, field: str = "component") -> dict[str, Any]:
    """The ComponentType of a flat reference."""
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
    """The VariableType of a flat reference."""
    result: dict[str, Any] = {"name": ref["variable"]}
    if ref.get("variable_instance"):
        result["instance"] = ref["variable_instance"]
    return result


def component_variable(component_name: str, variable_name: str) -> dict[str, Any]:
    """A plain component's variable, as GetVariables and SetVariables name it."""
    return {"component": {"name": component_name}, "variable": {"name": variable_name}}


def component_key(data: Mapping[str, Any]) -> tuple[str, str, int, int]:
    """The device model's component key of a ComponentType."""
    evse = data.get("evse") or {}
    return (
        data["name"],
        data.get("instance") or "",
        evse.get("id") or 0,
        evse.get("connectorId") or 0,
    )


def evse(evse_id: int, connector_id: int | None) -> dict[str, int]:
    """The EVSEType of an EVSE, or of one of its connectors."""
    result = {"id": evse_id}
    if connector_id is not None:
        result["connectorId"] = connector_id
    return result
