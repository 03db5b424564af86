"""The commands the REST API offers: one `CommandSpec` per command, registered by its area.

Each area (version-neutral commands, smart charging, reservations, monitoring...) lists its
specs in its own module under `stations/api/command_specs/` and `AREAS` below names them; the
API imports them all once. A spec joins a DRF input serializer to the service it calls: the
view validates the request body with `input`, then calls

    service(station_id=<station pk>, caller=<Caller>, **serializer.validated_data)

and renders the result. A service returns a frozen dataclass with a `command` attribute (the
finished `Command` row); its other fields are rendered as the command's `result` by `render`,
or, without one, as they are when they are plain JSON values.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

# Modules under stations/api/command_specs/ that define `SPECS: list[CommandSpec]`.
AREAS = [
    "neutral",
    "station_jobs",
    "local_list",
    "reports",
    "v21",
    "smart_charging",
    "reservations",
    "certificates",
    "v2x",
]

_JSON = (str, int, float, bool, type(None), list, dict)


@dataclass(frozen=True, slots=True)
class CommandSpec:
    # The URL segment: POST /api/v1/stations/<station>/commands/<name>/
    name: str
    service: Callable[..., Any]
    input: type[serializers.Serializer]
    # The OCPP versions whose stations offer this command ("1.6", "2.0.1", "2.1").
    versions: frozenset[str]
    summary: str
    # Turns the service's result into the JSON `result` object; None: see the module docstring.
    render: Callable[[Any], dict[str, Any]] | None = None

    def result_of(self, outcome: Any) -> dict[str, Any]:
        if self.render is not None:
            return self.render(outcome)
        return {
            field.name: getattr(outcome, field.name)
            for field in dataclasses.fields(outcome)
            if field.name != "command" and isinstance(getattr(outcome, field.name), _JSON)
        }


ALL_VERSIONS = frozenset({"1.6", "2.0.1", "2.1"})
V2X = frozenset({"2.0.1", "2.1"})
V21 = frozenset({"2.1"})


def specs() -> dict[str, CommandSpec]:
    """Every registered command, by name."""
    found: dict[str, CommandSpec] = {}
    for area in AREAS:
        module = importlib.import_module(f"stations.api.command_specs.{area}")
        for spec in module.SPECS:
            if spec.name in found:
                raise ValueError(f"Two API commands are named {spec.name!r}.")
            found[spec.name] = spec
    return found
