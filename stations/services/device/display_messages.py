"""Display messages (OCPP 2.x functional block O): what a station shows its drivers.

SetDisplayMessage and ClearDisplayMessage keep `DisplayMessage` rows in step with what the
station accepted; GetDisplayMessages asks for the station's messages, which come back as
NotifyDisplayMessages pages carrying its requestId (`receive_report`). The last page (tbc
false) of an unfiltered request is the station's whole set: messages it no longer holds are
marked cleared.

A 1.6 station gets CommandInvalid before anything is sent. The bus's errors pass through
unchanged (see `remote`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from backoffice.audit import services as audit
from backoffice.lib.ocpp_time import format_ocpp_datetime, parse_ocpp_datetime
from stations.exceptions import CommandInvalid
from stations.models import Command, DisplayMessage
from stations.services.commands import v2x
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.commands.remote import CommandResult, Message, _send

PRIORITIES = ("AlwaysFront", "InFront", "NormalCycle")
STATES = ("Charging", "Faulted", "Idle", "Unavailable")
STATES_V21 = ("Suspended", "Discharging")
FORMATS = ("ASCII", "HTML", "URI", "UTF8")
FORMATS_V21 = ("QRCODE",)
CONTENT_MAX = {"2.0.1": 512, "2.1": 1024}
EXTRA_MAX = 4
# A clear answered Unknown means the station holds no such message: it is cleared for us too.
_CLEARED = frozenset({"Accepted", "Unknown"})

UNKNOWN_PRIORITY = "The priority is AlwaysFront, InFront or NormalCycle."
UNKNOWN_STATE = "The state is one of: {states}."
UNKNOWN_FORMAT = "The message format is one of: {formats}."
CONTENT_TOO_LONG = "The message is {length} characters long; OCPP {version} allows {limit}."
EMPTY_CONTENT = "The message has no text."
ENDS_BEFORE_START = "The message ends before it starts."
TOO_MANY_EXTRA = "A message has at most 4 extra contents."


@dataclass(frozen=True, slots=True)
class DisplayMessageResult(Answered):
    """The station's answer; `message` is the stored row when the station accepted it."""

    command: Command
    status: str
    message: DisplayMessage | None


@dataclass(frozen=True, slots=True)
class DisplayMessagesRequestResult:
    command: Command
    status: str
    request_id: int


# --- services --------------------------------------------------------------------------------


def set_display_message(
    *,
    station_id: int,
    content: str,
    priority: str = "NormalCycle",
    message_format: str = "UTF8",
    language: str = "",
    message_id: int | None = None,
    state: str = "",
    start_at: datetime | None = None,
    end_at: datetime | None = None,
    transaction_id: str = "",
    display: dict[str, Any] | None = None,
    extra: list[dict[str, Any]] | None = None,
    caller: Caller = SYSTEM,
) -> DisplayMessageResult:
    """Show a message (or replace message `message_id`; a new id when none is given).

    `display` is a component reference (see `v2x`) of the display meant; `extra` (2.1) holds
    up to 4 more contents ({"content", "format", "language"}), e.g. other languages.
    """
    version = v2x.require_v2x(station_id, "SetDisplayMessage")
    if message_id is None:
        message_id = _next_message_id(station_id)
    message = build_set_display_message(
        version=version,
        message_id=message_id,
        content=content,
        priority=priority,
        message_format=message_format,
        language=language,
        state=state,
        start_at=start_at,
        end_at=end_at,
        transaction_id=transaction_id,
        display=display,
        extra=extra,
    )
    command = _send(station_id, message, caller)
    status = command.result_status
    if status != "Accepted":
        return DisplayMessageResult(command, status, None)
    with transaction.atomic():
        row, _ = DisplayMessage.objects.update_or_create(
            station_id=station_id,
            message_id=message_id,
            defaults={
                **_fields(message.payload["message"]),
                "status": DisplayMessage.Status.SET,
                "command": command,
            },
        )
        audit.record(
            action="stations.display_message_set",
            actor=caller.user,
            actor_label=caller.label,
            target=command.station,
            data={"command_id": command.pk, "message_id": message_id},
        )
    return DisplayMessageResult(command, status, row)


def clear_display_message(
    *, station_id: int, message_id: int, caller: Caller = SYSTEM
) -> CommandResult:
    """Remove message `message_id` from the station; the stored row is marked cleared."""
    v2x.require_v2x(station_id, "ClearDisplayMessage")
    command = _send(station_id, Message("ClearDisplayMessage", {"id": message_id}), caller)
    status = command.result_status
    if status in _CLEARED:
        with transaction.atomic():
            DisplayMessage.objects.filter(station_id=station_id, message_id=message_id).update(
                status=DisplayMessage.Status.CLEARED, updated_at=timezone.now()
            )
            audit.record(
                action="stations.display_message_cleared",
                actor=caller.user,
                actor_label=caller.label,
                target=command.station,
                data={"command_id": command.pk, "message_id": message_id},
            )
    return CommandResult(command, status)


def get_display_messages(
    *,
    station_id: int,
    message_ids: list[int] | None = None,
    priority: str = "",
    state: str = "",
    caller: Caller = SYSTEM,
) -> DisplayMessagesRequestResult:
    """Ask for the station's messages (all, or those matching every filter given).

    They come as NotifyDisplayMessages pages; Unknown to an unfiltered request means the
    station holds none, and every stored message is marked cleared.
    """
    version = v2x.require_v2x(station_id, "GetDisplayMessages")
    message = build_get_display_messages(
        version=version,
        request_id=v2x.new_request_id(),
        message_ids=message_ids,
        priority=priority,
        state=state,
    )
    command = _send(station_id, message, caller)
    status = command.result_status
    if status == "Unknown" and _unfiltered(command):
        _clear_unreported(station_id, command)
    return DisplayMessagesRequestResult(command, status, message.payload["requestId"])


# --- follow-ups ------------------------------------------------------------------------------


def receive_report(
    *, station_id: int, request_id: int, tbc: bool, message_info: list[dict[str, Any]]
) -> int:
    """Store one NotifyDisplayMessages page (snake_case, as received); return its count.

    Each message reported is stored as the station has it. The last page of an unfiltered
    GetDisplayMessages of ours marks the messages it did not report cleared. Idempotent.
    """
    with transaction.atomic():
        for info in message_info:
            DisplayMessage.objects.update_or_create(
                station_id=station_id,
                message_id=info["id"],
                defaults={**_fields(_camel(info)), "status": DisplayMessage.Status.REPORTED},
            )
    if not tbc:
        command = request_command(station_id=station_id, request_id=request_id)
        if command is not None and _unfiltered(command):
            _clear_unreported(station_id, command)
    return len(message_info)


def request_command(*, station_id: int, request_id: int) -> Command | None:
    """The GetDisplayMessages that asked for the report `request_id`."""
    return (
        Command.objects.filter(
            station_id=station_id, action="GetDisplayMessages", payload__requestId=request_id
        )
        .order_by("-created_at")
        .first()
    )


# --- payloads --------------------------------------------------------------------------------


def build_set_display_message(
    *,
    version: str,
    message_id: int,
    content: str,
    priority: str = "NormalCycle",
    message_format: str = "UTF8",
    language: str = "",
    state: str = "",
    start_at: datetime | None = None,
    end_at: datetime | None = None,
    transaction_id: str = "",
    display: Mapping[str, Any] | None = None,
    extra: list[dict[str, Any]] | None = None,
) -> Message:
    if priority not in PRIORITIES:
        raise CommandInvalid(UNKNOWN_PRIORITY, field="priority")
    info: dict[str, Any] = {
        "id": message_id,
        "priority": priority,
        "message": _content(version, content, message_format, language),
    }
    if state:
        info["state"] = _state(version, state)
    if start_at is not None and end_at is not None and end_at <= start_at:
        raise CommandInvalid(ENDS_BEFORE_START, field="end_at")
    if start_at is not None:
        info["startDateTime"] = format_ocpp_datetime(start_at)
    if end_at is not None:
        info["endDateTime"] = format_ocpp_datetime(end_at)
    if transaction_id:
        info["transactionId"] = transaction_id
    if display:
        info["display"] = v2x.component(display, field="display")
    if extra:
        v2x.require_v21(version, "Extra message contents", field="extra")
        if len(extra) > EXTRA_MAX:
            raise CommandInvalid(TOO_MANY_EXTRA, field="extra")
        info["messageExtra"] = [
            _content(version, item["content"], item.get("format", "UTF8"), item.get("language"))
            for item in extra
        ]
    return Message("SetDisplayMessage", {"message": info})


def build_get_display_messages(
    *,
    version: str,
    request_id: int,
    message_ids: list[int] | None = None,
    priority: str = "",
    state: str = "",
) -> Message:
    payload: dict[str, Any] = {"requestId": request_id}
    if message_ids:
        payload["id"] = list(message_ids)
    if priority:
        if priority not in PRIORITIES:
            raise CommandInvalid(UNKNOWN_PRIORITY, field="priority")
        payload["priority"] = priority
    if state:
        payload["state"] = _state(version, state)
    return Message("GetDisplayMessages", payload)


# --- helpers ---------------------------------------------------------------------------------


def _content(
    version: str, content: str, message_format: str, language: str | None
) -> dict[str, Any]:
    formats = FORMATS + (FORMATS_V21 if version == v2x.V21 else ())
    if message_format in FORMATS_V21:
        v2x.require_v21(version, f"The message format {message_format}", field="message_format")
    if message_format not in formats:
        raise CommandInvalid(
            UNKNOWN_FORMAT.format(formats=", ".join(formats)), field="message_format"
        )
    if not content:
        raise CommandInvalid(EMPTY_CONTENT, field="content")
    limit = CONTENT_MAX[version]
    if len(content) > limit:
        raise CommandInvalid(
            CONTENT_TOO_LONG.format(length=len(content), version=version, limit=limit),
            field="content",
        )
    result = {"format": message_format, "content": content}
    if language:
        result["language"] = language
    return result


def _state(version: str, state: str) -> str:
    states = STATES + (STATES_V21 if version == v2x.V21 else ())
    if state in STATES_V21:
        v2x.require_v21(version, f"The state {state}", field="state")
    if state not in states:
        raise CommandInvalid(UNKNOWN_STATE.format(states=", ".join(states)), field="state")
    return state


def _next_message_id(station_id: int) -> int:
    highest = DisplayMessage.objects.filter(station_id=station_id).aggregate(Max("message_id"))
    return (highest["message_id__max"] or 0) + 1


def _fields(info: Mapping[str, Any]) -> dict[str, Any]:
    """DisplayMessage fields of a camelCase MessageInfoType."""
    content = info["message"]
    display = info.get("display") or {}
    evse = display.get("evse") or {}
    return {
        "priority": info["priority"],
        "state": info.get("state") or "",
        "start_at": _time(info.get("startDateTime")),
        "end_at": _time(info.get("endDateTime")),
        "transaction_id": info.get("transactionId") or "",
        "format": content["format"],
        "language": content.get("language") or "",
        "content": content["content"],
        "extra": info.get("messageExtra") or [],
        "display": {
            key: value
            for key, value in {
                "component": display.get("name"),
                "component_instance": display.get("instance"),
                "evse_id": evse.get("id"),
                "connector_id": evse.get("connectorId"),
            }.items()
            if value is not None
        },
    }


def _camel(info: Mapping[str, Any]) -> dict[str, Any]:
    """A MessageInfoType as received by a handler (snake_case) back in camelCase."""
    display = info.get("display") or {}
    camel_display = {key: display[key] for key in ("name", "instance") if key in display}
    if display.get("evse"):
        evse = display["evse"]
        camel_display["evse"] = {"id": evse["id"], "connectorId": evse.get("connector_id")}
    return {
        "priority": info["priority"],
        "state": info.get("state"),
        "startDateTime": info.get("start_date_time"),
        "endDateTime": info.get("end_date_time"),
        "transactionId": info.get("transaction_id"),
        "message": info["message"],
        "messageExtra": info.get("message_extra"),
        "display": camel_display,
    }


def _time(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return parse_ocpp_datetime(raw).value
    except ValueError:
        return None  # a station's unreadable time: the message is kept without it


def _unfiltered(command: Command) -> bool:
    payload = command.payload or {}
    return not any(payload.get(key) for key in ("id", "priority", "state"))


def _clear_unreported(station_id: int, command: Command) -> None:
    # Every message the report carried was written after the command was created (and so
    # was one set meanwhile); the rest the station no longer holds.
    DisplayMessage.objects.filter(station_id=station_id, updated_at__lt=command.created_at).exclude(
        status=DisplayMessage.Status.CLEARED
    ).update(status=DisplayMessage.Status.CLEARED, updated_at=timezone.now())
