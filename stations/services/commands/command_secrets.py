"""Credentials in OCPP messages (station passwords, VPN and APN keys): sent, never kept.

A command's payload is kept whole only while it is in flight (the process holding the socket
reads it to send the CALL); once finished it is kept with its secrets masked. The audit trail,
the message log, the commands' answers and the device model only ever see masked copies, in
both directions: a station may report its own credentials too (GetConfiguration and
GetVariables answers, NotifyReport, NotifyEvent).

OCPP names are case-insensitive, so one function, `is_secret_name`, decides whether a 1.6
configuration key or a 2.x variable (in any component, instance or EVSE) holds a credential,
whatever its case; `redact` finds such values wherever a message carries them.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

MASK = "********"
# 1.6 configuration keys and 2.x variable names (any component) whose values are credentials,
# in lower case: names are compared case-insensitively.
SECRET_NAMES = frozenset(
    {"authorizationkey", "basicauthpassword", "apnpassword", "vpnpassword", "vpnkey"}
)
# Message properties that are credentials wherever they appear (NetworkConnectionProfile), and
# those that are inside a VPN object.
_SECRET_PROPERTIES = frozenset({"basicauthpassword", "apnpassword"})
_VPN, _VPN_SECRETS = "vpn", frozenset({"password", "key"})
# The value properties next to a 1.6 key or a 2.x variable (GetVariables/SetVariables results,
# NotifyEvent) and inside a NotifyReport variableAttribute.
_KEY_VALUE = "value"
_VARIABLE_VALUES = ("attributeValue", "actualValue")
_ATTRIBUTES = "variableAttribute"
# Frames naming none of these carry no secret and are logged untouched (JSON escapes may spell
# a name in disguise: such frames are always looked at).
_SECRET_HINTS = (*sorted(SECRET_NAMES | _SECRET_PROPERTIES | {_VPN}), "\\u")
# The same as a regular expression, for the database's case-insensitive scan of stored frames.
MAY_HOLD_SECRET = re.compile("|".join(re.escape(hint) for hint in _SECRET_HINTS), re.IGNORECASE)
# Commands whose payload carries a credential when sent: only sent by a waiting caller.
_ACTIONS_WITH_SECRETS = frozenset({"SetNetworkProfile", "ChangeConfiguration", "SetVariables"})
# Commands whose payload or answer (a station's own credential) may carry a secret.
COMMANDS_WITH_SECRETS = _ACTIONS_WITH_SECRETS | {"GetConfiguration", "GetVariables"}


def is_secret_name(name: object) -> bool:
    """Whether a 1.6 configuration key or a 2.x variable name holds a credential."""
    return isinstance(name, str) and name.strip().lower() in SECRET_NAMES


def kept_value(name: str, value: str) -> str:
    """What the back office keeps of the value of key or variable `name`."""
    return MASK if value and is_secret_name(name) else value


def redact(payload: Any) -> Any:
    """`payload` (any OCPP message payload) with its secrets masked: a copy, or `payload`
    itself when it has none."""
    masked = copy.deepcopy(payload)
    return masked if _mask_in(masked) else payload


def redact_frame(frame: str) -> str:
    """An OCPP-J frame as it may be logged: its secrets masked, whatever the direction and the
    message type. A frame that is not JSON is logged as it came."""
    # Every logged frame passes here: substring tests on the lowered frame take 6 us for a
    # 900-byte MeterValues, where the case-insensitive regular expression took 120.
    lowered = frame.lower()
    if not any(hint in lowered for hint in _SECRET_HINTS):
        return frame
    try:
        message = json.loads(frame)
    except (ValueError, RecursionError):
        return frame
    return json.dumps(message, ensure_ascii=False) if _mask_in(message) else frame


def has_secrets(action: str) -> bool:
    """Whether a command of `action` may carry a credential to the station."""
    return action in _ACTIONS_WITH_SECRETS


def _mask_in(value: Any) -> bool:
    """Mask every credential inside `value`, in place; whether any was found."""
    found = False
    if isinstance(value, dict):
        for name, item in value.items():
            lower = name.lower() if isinstance(name, str) else ""
            if lower in _SECRET_PROPERTIES and not isinstance(item, dict | list):
                found |= _mask(value, name)
            elif lower == _VPN and isinstance(item, dict):
                for vpn_name in list(item):
                    if isinstance(vpn_name, str) and vpn_name.lower() in _VPN_SECRETS:
                        found |= _mask(item, vpn_name)
                found |= _mask_in(item)
            else:
                found |= _mask_in(item)
        if is_secret_name(value.get("key")):
            found |= _mask(value, _KEY_VALUE)
        variable = value.get("variable")
        if isinstance(variable, dict) and is_secret_name(variable.get("name")):
            for name in _VARIABLE_VALUES:
                found |= _mask(value, name)
            for attribute in value.get(_ATTRIBUTES) or ():
                if isinstance(attribute, dict):
                    found |= _mask(attribute, _KEY_VALUE)
    elif isinstance(value, list):
        for item in value:
            found |= _mask_in(item)
    return found


def _mask(container: dict[str, Any], key: str) -> bool:
    if container.get(key) not in (None, "", MASK):
        container[key] = MASK
        return True
    return False
