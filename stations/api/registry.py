"""The commands the REST API offers: one `CommandSpec` per command of the catalogue.

The catalogue (`stations.services.commands.catalogue`) says which commands exist, the
service each calls, the OCPP versions that offer it and its summary. A spec joins a catalogue
command to the DRF input serializer of its body and, where the result needs one, a renderer.
Each area lists its specs in its own module under `stations/api/command_specs/` and `AREAS`
below names them; another app's commands (reservations) bring their specs with them and
`register` them from their `AppConfig.ready`, so this API does not import the apps that build
on the stations. The API reads them all once, and `specs()` checks that every catalogue
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
    return spec_of(catalogue.command(name), input, render)


def spec_of(
    command: catalogue.Command,
    input: type[serializers.Serializer],
    render: Callable[[Any], dict[str, Any]] | None = None,
) -> CommandSpec:
    """The API's spec of `command`, which another app may build before it joins the catalogue
    (so the order of its `ready` steps does not matter: `specs()` checks both at start)."""
    return CommandSpec(
        name=command.name,
        service=command.service,
        input=input,
        versions=command.versions,
        summary=command.summary,
        render=render,
    )


_registered: list[CommandSpec] = []


def register(*command_specs: CommandSpec) -> None:
    """Add another app's specs (from its `AppConfig.ready`); the same spec again is a no-op."""
    for command_spec in command_specs:
        if command_spec not in _registered:
            _registered.append(command_spec)


def specs() -> dict[str, CommandSpec]:
    """Every command the API offers, by name: the areas' specs, then the registered ones."""
    found: dict[str, CommandSpec] = {}
    listed = [
        command_spec
        for area in AREAS
        for command_spec in importlib.import_module(f"stations.api.command_specs.{area}").SPECS
    ]
    known = catalogue.commands()
    for command_spec in [*listed, *_registered]:
        if command_spec.name in found:
            raise ValueError(f"Two API commands are named {command_spec.name!r}.")
        if command_spec.name not in known:
            raise ValueError(f"The API offers {command_spec.name!r}, which the catalogue lacks.")
        fields = set(catalogue.command(command_spec.name).fields)
        if set(command_spec.input().fields) != fields:
            raise ValueError(
                f"The API's input of {command_spec.name!r} does not take the catalogue's "
                f"fields {sorted(fields)}."
            )
        found[command_spec.name] = command_spec
    missing = sorted(set(known) - set(found))
    if missing:
        raise ValueError(f"The API offers no spec for the commands {missing}.")
    return found
