"""OCPP-J framing: parse a text frame into a message, or say exactly what is wrong with it.

Unlike the `ocpp` package's `unpack`, nothing is dropped silently: every malformed frame maps
to the answer of PROTOCOL.md's bad-input table for the socket's version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import ErrorCodes

CALL, CALLRESULT, CALLERROR, CALLRESULTERROR, SEND = 2, 3, 4, 5, 6
MAX_MESSAGE_ID = 36
UNREADABLE_ID = "-1"


@dataclass(frozen=True, slots=True)
class Call:
    message_id: str
    action: str
    payload: Any  # any JSON value: checked against the action's schema, not here


@dataclass(frozen=True, slots=True)
class CallResult:
    message_id: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallError:
    message_id: str
    code: str
    description: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Send:
    """2.1 SEND: like a CALL, but never answered."""

    message_id: str
    action: str
    payload: Any


@dataclass(frozen=True, slots=True)
class CallResultError:
    """2.1 CALLRESULTERROR: the station reports that our CALLRESULT was wrong."""

    message_id: str
    code: str
    description: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Ignored:
    """A frame to log and not answer (e.g. 2.1 message types on a 1.6 socket)."""

    reason: str
    message_type: int | None = None
    message_id: str = ""


Message = Call | CallResult | CallError | Send | CallResultError


class FrameError(Exception):
    """The frame is invalid: answer CALLERROR `code` with `message_id` ("-1" if unreadable)."""

    def __init__(self, code: str, description: str, message_id: str = UNREADABLE_ID) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.message_id = message_id


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _valid_id(value: Any) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= MAX_MESSAGE_ID:
        return value
    return None


def parse(
    text: str, errors: ErrorCodes, extra_types: frozenset[int] = frozenset()
) -> Message | Ignored:
    """Parse one text frame. Raises FrameError for anything a CALLERROR answers.

    `extra_types` are the message types the version knows beyond 2/3/4 (2.1: 5 and 6). Other
    versions ignore 5 and 6 (1.6) or answer MessageTypeNotSupported (2.0.1).
    """
    try:
        frame = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise FrameError(errors.framing, "Frame is not valid JSON") from None
    if not isinstance(frame, list) or not frame:
        raise FrameError(errors.framing, "Frame is not an OCPP-J array")
    message_type = frame[0]
    message_id = _valid_id(frame[1]) if len(frame) > 1 else None
    if type(message_type) is not int:
        raise FrameError(
            errors.framing, "MessageTypeId is not an integer", message_id or UNREADABLE_ID
        )
    if message_type not in (CALL, CALLRESULT, CALLERROR, *extra_types):
        if errors.message_type_not_supported is None and message_type in (CALLRESULTERROR, SEND):
            return Ignored(
                f"message type {message_type} not handled here", message_type, message_id or ""
            )
        code = errors.message_type_not_supported or errors.framing
        raise FrameError(code, f"Unknown MessageTypeId {message_type}", message_id or UNREADABLE_ID)
    if message_id is None:
        if message_type != CALL:
            # Only a CALL is ever answered: a SEND never is (2.1 Part 4 §4.2.4), and a response
            # with such an id answers no CALL of ours (dropped like any unknown id).
            return Ignored("message id missing, empty or too long", message_type)
        raise FrameError(errors.framing, "Message id missing, empty or longer than 36 characters")
    if message_type == SEND:
        # Never answered, so a malformed SEND is logged and dropped.
        if len(frame) != 4 or not isinstance(frame[2], str):
            return Ignored("malformed SEND", message_type, message_id)
        return Send(message_id, frame[2], frame[3])
    if message_type == CALL:
        if len(frame) != 4:
            raise FrameError(errors.framing, "A CALL has exactly 4 elements", message_id)
        _, _, action, payload = frame
        if not isinstance(action, str) or not action:
            raise FrameError(errors.framing, "Action is not a string", message_id)
        # A payload of any JSON type makes a well-formed frame: the action's schema judges it.
        return Call(message_id, action, payload)
    # Responses are never answered with a CALLERROR: a malformed one is logged and dropped.
    if message_type == CALLRESULT:
        if len(frame) != 3 or not isinstance(frame[2], dict):
            return Ignored("malformed CALLRESULT", message_type, message_id)
        return CallResult(message_id, frame[2])
    if len(frame) not in (4, 5) or not isinstance(frame[2], str):
        return Ignored("malformed error frame", message_type, message_id)
    description = frame[3] if isinstance(frame[3], str) else ""
    details = frame[4] if len(frame) == 5 and isinstance(frame[4], dict) else {}
    if message_type == CALLRESULTERROR:
        return CallResultError(message_id, frame[2], description, details)
    return CallError(message_id, frame[2], description, details)


def call_error_frame(
    message_id: str, code: str, description: str, details: dict | None = None
) -> str:
    # details MUST be {} when empty, description "" when none (OCPP-J §4.2).
    return json.dumps([CALLERROR, message_id, code, description[:255], details or {}])


def call_result_frame(message_id: str, payload: dict[str, Any]) -> str:
    return json.dumps([CALLRESULT, message_id, payload], separators=(",", ":"))
