"""The commands the REST API offers: one `CommandSpec` per command of the catalogue.

The catalogue (`stations.services.commands.catalogue`) says which commands exist, the
service each calls, the OCPP versions that offer it and its summary. A spec joins a catalogue
command to the DRF input serializer of its body and, where the result needs one, a renderer.
Each area lists its specs in its own module under `stations/api/command_specs/` and `AREAS`
below names them; the API imports them all once, and `specs()` checks that every catalogue
command has a spec whose serializer takes exactly the command's fields. The view validates the
request body with `input`, then calls

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

from stations.services.commands import catalogue

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


def spec(
    name: str,
    input: type[serializers.Serializer],
    render: Callable[[Any], dict[str, Any]] | None = None,
) -> CommandSpec:
    """The API's spec of catalogue command `name`, its body validated by `input`."""
    command = catalogue.command(name)
    return CommandSpec(
        name=name,
        service=command.service,
        input=input,
        versions=command.versions,
        summary=command.summary,
        render=render,
    )


def specs() -> dict[str, CommandSpec]:
    """Every registered command, by name."""
    found: dict[str, CommandSpec] = {}
    for area in AREAS:
        module = importlib.import_module(f"stations.api.command_specs.{area}")
        for command_spec in module.SPECS:
            if command_spec.name in found:
                raise ValueError(f"Two API commands are named {command_spec.name!r}.")
            fields = set(catalogue.command(command_spec.name).fields)
            if set(command_spec.input().fields) != fields:
                raise ValueError(
                    f"The API's input of {command_spec.name!r} does not take the catalogue's "
                    f"fields {sorted(fields)}."
                )
            found[command_spec.name] = command_spec
    missing = sorted(set(catalogue.commands()) - set(found))
    if missing:
        raise ValueError(f"The API offers no spec for the commands {missing}.")
    return found
