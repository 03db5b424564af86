"""Secrets inside commands (station passwords, VPN keys): sent to the station, not kept.

A command's payload is kept whole only while it is in flight (the process holding the socket
reads it to send the CALL); once finished it is kept with its secrets masked. The audit trail
and the message log only ever see the masked copy.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

MASK = "********"
# Variables whose values are credentials: 1.6 configuration keys and 2.x variable names.
_SECRET_KEYS_V16 = frozenset({"AuthorizationKey"})
_SECRET_VARIABLES_V2X = frozenset({"BasicAuthPassword"})


def redact(action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """`payload` with its secrets masked (a copy), or `payload` itself when it has none."""
    rule = _RULES.get(action)
    if rule is None:
        return payload
    masked = copy.deepcopy(payload)
    rule(masked)
    return masked


def kept_value(setting: str, value: str) -> str:
    """What the back office keeps of a configuration value it set: never a credential."""
    return MASK if setting in _SECRET_KEYS_V16 | _SECRET_VARIABLES_V2X else value


def has_secrets(action: str) -> bool:
    return action in _RULES


def redact_call_frame(action: str, frame: str) -> str:
    """A CALL frame `[2, id, action, payload]` as it may be logged."""
    if action not in _RULES:
        return frame
    message = json.loads(frame)
    message[3] = redact(action, message[3])
    return json.dumps(message)


def _network_profile(payload: dict[str, Any]) -> None:
    data = payload.get("connectionData") or {}
    _mask(data, "basicAuthPassword")
    _mask(data.get("apn") or {}, "apnPassword")
    _mask(data.get("vpn") or {}, "password")
    _mask(data.get("vpn") or {}, "key")


def _change_configuration(payload: dict[str, Any]) -> None:
    if payload.get("key") in _SECRET_KEYS_V16:
        _mask(payload, "value")


def _set_variables(payload: dict[str, Any]) -> None:
    for item in payload.get("setVariableData") or []:
        if (item.get("variable") or {}).get("name") in _SECRET_VARIABLES_V2X:
            _mask(item, "attributeValue")


def _mask(container: dict[str, Any], key: str) -> None:
    if container.get(key):
        container[key] = MASK


_RULES: dict[str, Callable[[dict[str, Any]], None]] = {
    "SetNetworkProfile": _network_profile,
    "ChangeConfiguration": _change_configuration,
    "SetVariables": _set_variables,
}
