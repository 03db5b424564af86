"""Configuration in OCPP 1.6: flat keys, GetConfiguration and ChangeConfiguration."""

from __future__ import annotations

from typing import Any

from stations.services.commands.adapters import Message
from stations.services.commands.requests import (
    ChangeConfiguration,
    Configuration,
    ConfigurationValue,
    GetConfiguration,
)

from .adapter import ADAPTER


@ADAPTER.builds(GetConfiguration, fields={"key": "keys"})
def get_configuration(request: GetConfiguration, version: str) -> Message:
    # No keys: every key.
    return Message("GetConfiguration", {"key": list(request.keys)} if request.keys else {})


@ADAPTER.reads(GetConfiguration)
def configuration(
    request: GetConfiguration, response: dict[str, Any], version: str
) -> Configuration:
    values = tuple(
        ConfigurationValue(
            item["key"], item.get("value") or "", read_only=bool(item.get("readonly"))
        )
        for item in response.get("configurationKey") or []
    )
    return Configuration(values, tuple(response.get("unknownKey") or ()))


@ADAPTER.builds(ChangeConfiguration)
def change_configuration(request: ChangeConfiguration, version: str) -> Message:
    return Message("ChangeConfiguration", {"key": request.key, "value": request.value})


@ADAPTER.reads(ChangeConfiguration)
def change_status(request: ChangeConfiguration, response: dict[str, Any], version: str) -> str:
    status = response.get("status")
    return status if isinstance(status, str) else ""
