"""The 2.x ComponentType and VariableType: of the device model's references, of the plain
"Component/Variable" keys of configuration, and read back from a station's answer."""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.commands.requests import CONNECTOR_NEEDS_EVSE
from stations.services.device.types import ComponentVariable


def component_type(ref: ComponentVariable, *, field: str = "component") -> dict[str, Any]:
    """The ComponentType of `ref`; a connector without its EVSE is refused (`field`)."""
    result: dict[str, Any] = {"name": ref.component}
    if ref.component_instance:
        result["instance"] = ref.component_instance
    if ref.evse_id is None and ref.connector_id is not None:
        raise CommandInvalid(CONNECTOR_NEEDS_EVSE, field=field)
    if ref.evse_id is not None:
        result["evse"] = evse(ref.evse_id, ref.connector_id)
    return result


def variable_type(ref: ComponentVariable) -> dict[str, Any]:
    """The VariableType of `ref`."""
    result: dict[str, Any] = {"name": ref.variable}
    if ref.variable_instance:
        result["instance"] = ref.variable_instance
    return result


def named(component_name: str, variable_name: str) -> dict[str, Any]:
    """A plain component's variable, as GetVariables and SetVariables name it."""
    return {"component": {"name": component_name}, "variable": {"name": variable_name}}


def reported(
    component: dict[str, Any], variable: dict[str, Any] | None = None
) -> ComponentVariable:
    """What a station's camelCase ComponentType (and VariableType) in an answer names."""
    evse_type = component.get("evse") or {}
    variable = variable or {}
    return ComponentVariable(
        component=component.get("name", ""),
        component_instance=component.get("instance") or "",
        evse_id=evse_type.get("id"),
        connector_id=evse_type.get("connectorId"),
        variable=variable.get("name", ""),
        variable_instance=variable.get("instance") or "",
    )


def evse(evse_id: int, connector_id: int | None) -> dict[str, int]:
    """The EVSEType of an EVSE, or of one of its connectors."""
    result = {"id": evse_id}
    if connector_id is not None:
        result["connectorId"] = connector_id
    return result
