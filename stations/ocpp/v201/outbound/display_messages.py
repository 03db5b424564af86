"""Display messages in OCPP 2.0.1 and 2.1. 2.1 adds states, the QR code format, longer texts
and extra contents."""

from __future__ import annotations

from typing import Any

from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.exceptions import CommandInvalid
from stations.services.commands import adapters
from stations.services.commands.adapters import Message
from stations.services.device.display_messages import (
    CONTENT_TOO_LONG,
    EMPTY_CONTENT,
    ENDS_BEFORE_START,
    EXTRA_MAX,
    FORMATS,
    FORMATS_V21,
    PRIORITIES,
    STATES,
    STATES_V21,
    TOO_MANY_EXTRA,
    UNKNOWN_FORMAT,
    UNKNOWN_PRIORITY,
    UNKNOWN_STATE,
)
from stations.services.device.requests import (
    ClearDisplayMessage,
    GetDisplayMessages,
    SetDisplayMessage,
)
from stations.services.device.types import MessageContent

from .adapter import ADAPTER
from .components import component_type
from .only_in_21 import V21, require_v21


@ADAPTER.builds(
    SetDisplayMessage,
    fields={
        "message.id": "message_id",
        "message.priority": "priority",
        "message.message.content": "content",
        "message.message.format": "message_format",
        "message.message.language": "language",
        "message.state": "state",
        "message.startDateTime": "start_at",
        "message.endDateTime": "end_at",
        "message.transactionId": "transaction_id",
        "message.display": "display",
        "message.messageExtra": "extra",
    },
)
def set_display_message(request: SetDisplayMessage, version: str) -> Message:
    if request.priority not in PRIORITIES:
        raise CommandInvalid(UNKNOWN_PRIORITY, field="priority")
    info: dict[str, Any] = {
        "id": request.message_id,
        "priority": request.priority,
        "message": _content(version, request.content),
    }
    if request.state:
        info["state"] = _state(version, request.state)
    start_at, end_at = request.start_at, request.end_at
    if start_at is not None and end_at is not None and end_at <= start_at:
        raise CommandInvalid(ENDS_BEFORE_START, field="end_at")
    if start_at is not None:
        info["startDateTime"] = format_ocpp_datetime(start_at)
    if end_at is not None:
        info["endDateTime"] = format_ocpp_datetime(end_at)
    if request.transaction_id:
        info["transactionId"] = request.transaction_id
    if request.display is not None:
        info["display"] = component_type(request.display, field="display")
    if request.extra:
        require_v21(version, "Extra message contents", field="extra")
        if len(request.extra) > EXTRA_MAX:
            raise CommandInvalid(TOO_MANY_EXTRA, field="extra")
        info["messageExtra"] = [_content(version, item) for item in request.extra]
    return Message("SetDisplayMessage", {"message": info})


@ADAPTER.builds(GetDisplayMessages, fields={"id": "message_ids"})
def get_display_messages(request: GetDisplayMessages, version: str) -> Message:
    payload: dict[str, Any] = {"requestId": request.request_id}
    if request.message_ids:
        payload["id"] = list(request.message_ids)
    if request.priority:
        if request.priority not in PRIORITIES:
            raise CommandInvalid(UNKNOWN_PRIORITY, field="priority")
        payload["priority"] = request.priority
    if request.state:
        payload["state"] = _state(version, request.state)
    return Message("GetDisplayMessages", payload)


@ADAPTER.builds(ClearDisplayMessage, fields={"id": "message_id"})
def clear_display_message(request: ClearDisplayMessage, version: str) -> Message:
    return Message("ClearDisplayMessage", {"id": request.message_id})


# --- helpers ---------------------------------------------------------------------------------


def _content(version: str, content: MessageContent) -> dict[str, Any]:
    message_format = content.format
    formats = FORMATS + (FORMATS_V21 if version == V21 else ())
    if message_format in FORMATS_V21:
        require_v21(version, f"The message format {message_format}", field="message_format")
    if message_format not in formats:
        raise CommandInvalid(
            UNKNOWN_FORMAT.format(formats=", ".join(formats)), field="message_format"
        )
    if not content.content:
        raise CommandInvalid(EMPTY_CONTENT, field="content")
    limit = adapters.traits(version).display_message_max
    if len(content.content) > limit:
        raise CommandInvalid(
            CONTENT_TOO_LONG.format(length=len(content.content), version=version, limit=limit),
            field="content",
        )
    result = {"format": message_format, "content": content.content}
    if content.language:
        result["language"] = content.language
    return result


def _state(version: str, state: str) -> str:
    states = STATES + (STATES_V21 if version == V21 else ())
    if state in STATES_V21:
        require_v21(version, f"The state {state}", field="state")
    if state not in states:
        raise CommandInvalid(UNKNOWN_STATE.format(states=", ".join(states)), field="state")
    return state
