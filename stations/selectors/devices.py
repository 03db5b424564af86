"""Device model reads: the variables a station reports, with components and attributes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stations.models import Component, Variable, VariableAttribute


@dataclass(frozen=True, slots=True)
class VariableRow:
    component: Component
    variable: Variable
    # By attribute type: Actual, Target, MinSet, MaxSet.
    attributes: Mapping[str, VariableAttribute]


def variables_for_station(*, station_id: int) -> list[VariableRow]:
    """Every variable of the station with its component and attributes, in two queries.

    Ordered by component (name, instance, EVSE, connector), then variable (name, instance).
    """
    variables = (
        Variable.objects.filter(component__station_id=station_id)
        .select_related("component")
        .prefetch_related("attributes")
        .order_by(
            "component__name",
            "component__instance",
            "component__evse_id",
            "component__connector_id",
            "name",
            "instance",
        )
    )
    return [
        VariableRow(
            component=variable.component,
            variable=variable,
            attributes={attribute.type: attribute for attribute in variable.attributes.all()},
        )
        for variable in variables
    ]
