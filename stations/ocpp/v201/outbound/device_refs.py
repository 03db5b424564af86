"""2.x ComponentType / VariableType of the device model's component references, and the
refusal of what only 2.1 can say (for the device-model builders).

A copy, for the device-model builders, of what `components.py` holds for remote control: to
be deduplicated with it.
"""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.device.types import ComponentVariable

V21 = "2.1"
V21_ONLY = "{what} exists only in OCPP 2.1: this station speaks OCPP 2.0.1."
CONNECTOR_NEEDS_EVSE = "A connector is given without its EVSE."


def require_v21(version: str, what: str, *, field: str | None = None) -> None:
    """CommandInvalid unless `version` is 2.1: `what` (a field's value) is 2.1's alone."""
    if version != V21:
        raise CommandInvalid(V21_ONLY.format(what=what), field=field)


def component_type(ref: ComponentVariable, *, field: str = "component") -> dict[str, Any]:
    """The ComponentType of `ref`; a connector without its EVSE is refused (`field`)."""
    result: dict[str, Any] = {"name": ref.component}
    if ref.component_instance:
        result["instance"] = ref.component_instance
    if ref.evse_id is None and ref.connector_id is not None:
        raise CommandInvalid(CONNECTOR_NEEDS_EVSE, field=field)
    if ref.evse_id is not None:
        result["evse"] = {"id": ref.evse_id}
        if ref.connector_id is not None:
            result["evse"]["connectorId"] = ref.connector_id
    return result


def variable_type(ref: ComponentVariable) -> dict[str, Any]:
    """The VariableType of `ref`."""
    result: dict[str, Any] = {"name": ref.variable}
    if ref.variable_instance:
        result["instance"] = ref.variable_instance
    return result


def component_variable(
    component: dict[str, Any], variable: dict[str, Any] | None = None
) -> ComponentVariable:
    """What a station's camelCase ComponentType (and VariableType) in an answer names."""
    evse = component.get("evse") or {}
    variable = variable or {}
    return ComponentVariable(
        component=component.get("name", ""),
        component_instance=component.get("instance") or "",
        evse_id=evse.get("id"),
        connector_id=evse.get("connectorId"),
        variable=variable.get("name", ""),
        variable_instance=variable.get("instance") or "",
    )
