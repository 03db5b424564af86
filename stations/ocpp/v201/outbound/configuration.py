"""Configuration in OCPP 2.0.1 and 2.1: "Component/Variable" keys, GetVariables and
SetVariables."""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import Message
from stations.services.commands.requests import (
    ChangeConfiguration,
    Configuration,
    ConfigurationValue,
    GetConfiguration,
)

from .adapter import ADAPTER
from .components import named

V2X_CONFIGURATION_NEEDS_KEYS = (
    "OCPP 2.x has no 'all keys': name the variables as Component/Variable, "
    "or ask for a report instead."
)
V2X_KEY_FORMAT = (
    "An OCPP 2.x key is written Component/Variable, e.g. OCPPCommCtrlr/HeartbeatInterval."
)
_UNKNOWN = frozenset({"UnknownComponent", "UnknownVariable"})


@ADAPTER.builds(GetConfiguration, fields={"getVariableData": "keys"})
def get_variables(request: GetConfiguration, version: str) -> Message:
    if not request.keys:
        raise CommandInvalid(V2X_CONFIGURATION_NEEDS_KEYS, field="keys")
    return Message(
        "GetVariables",
        {"getVariableData": [named(*split_key(key)) for key in request.keys]},
    )


@ADAPTER.reads(GetConfiguration)
def configuration(
    request: GetConfiguration, response: dict[str, Any], version: str
) -> Configuration:
    values: dict[tuple[str, str], str] = {}
    unknown: list[str] = []
    for item in response.get("getVariableResult") or []:
        names = (item["component"]["name"], item["variable"]["name"])
        if item.get("attributeStatus") == "Accepted":
            values[names] = item.get("attributeValue") or ""
        elif item.get("attributeStatus") in _UNKNOWN:
            unknown.append("/".join(names))
    return Configuration(
        tuple(
            ConfigurationValue(variable, value, component=component)
            for (component, variable), value in values.items()
        ),
        tuple(unknown),
    )


# The one item's component and variable come from the key, its value from the value.
@ADAPTER.builds(
    ChangeConfiguration,
    fields={"setVariableData": "key", "setVariableData[0].attributeValue": "value"},
)
def set_variables(request: ChangeConfiguration, version: str) -> Message:
    item = named(*split_key(request.key))
    return Message("SetVariables", {"setVariableData": [{**item, "attributeValue": request.value}]})


@ADAPTER.reads(ChangeConfiguration)
def change_status(request: ChangeConfiguration, response: dict[str, Any], version: str) -> str:
    results = response.get("setVariableResult") or [{}]
    return str(results[0].get("attributeStatus") or "")


def split_key(key: str) -> tuple[str, str]:
    component, _, variable = key.partition("/")
    if not component or not variable:
        raise CommandInvalid(V2X_KEY_FORMAT, field="key")
    return component, variable
