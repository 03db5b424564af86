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

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from backoffice.audit import services as audit
from stations.models import Command, DisplayMessage
from stations.services.commands import adapters, outbound, request_ids
from stations.services.commands.adapters import Message
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.commands.remote import CommandResult
from stations.services.device.requests import (
    ClearDisplayMessage,
    GetDisplayMessages,
    SetDisplayMessage,
    component_variable,
)
from stations.services.device.types import ComponentVariable, DisplayMessageInfo, MessageContent

# What a message may be, in 2.0.1; 2.1 adds the *_V21 values and longer texts (the version's
# `Traits.display_message_max`).
PRIORITIES = ("AlwaysFront", "InFront", "NormalCycle")
STATES = ("Charging", "Faulted", "Idle", "Unavailable")
STATES_V21 = ("Suspended", "Discharging")
FORMATS = ("ASCII", "HTML", "URI", "UTF8")
FORMATS_V21 = ("QRCODE",)
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

    `display` is a component reference ({"component", "component_instance", "evse_id",
    "connector_id"}) of the display meant; `extra` (2.1) holds up to 4 more contents
    ({"content", "format", "language"}), e.g. other languages.
    """
    if message_id is None:
        message_id = _next_message_id(station_id)
    request = SetDisplayMessage(
        message_id=message_id,
        content=MessageContent(content=content, format=message_format, language=language or ""),
        priority=priority,
        state=state,
        start_at=start_at,
        end_at=end_at,
        transaction_id=transaction_id,
        display=component_variable(display) if display else None,
        extra=tuple(
            MessageContent(
                content=item["content"],
                format=item.get("format", "UTF8"),
                language=item.get("language") or "",
            )
            for item in extra or ()
        ),
    )
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
    status = command.result_status
    if status != "Accepted":
        return DisplayMessageResult(command, status, None)
    with transaction.atomic():
        row, _ = DisplayMessage.objects.update_or_create(
            station_id=station_id,
            message_id=message_id,
            defaults={
                **_fields(_as_sent(request)),
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
    request = ClearDisplayMessage(message_id)
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
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
    request = GetDisplayMessages(
        request_id=request_ids.new_request_id(),
        message_ids=tuple(message_ids or ()),
        priority=priority,
        state=state,
    )
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
    status = command.result_status
    if status == "Unknown" and not (request.message_ids or request.priority or request.state):
        _clear_unreported(station_id, command)
    return DisplayMessagesRequestResult(command, status, request.request_id)


# --- follow-ups ------------------------------------------------------------------------------


def receive_report(
    *, station_id: int, request_id: int, tbc: bool, message_info: list[DisplayMessageInfo]
) -> int:
    """Store one NotifyDisplayMessages page; return its count.

    Each message reported is stored as the station has it. The last page of an unfiltered
    GetDisplayMessages of ours marks the messages it did not report cleared. Idempotent.
    """
    with transaction.atomic():
        for info in message_info:
            DisplayMessage.objects.update_or_create(
                station_id=station_id,
                message_id=info.message_id,
                defaults={**_fields(info), "status": DisplayMessage.Status.REPORTED},
            )
    if not tbc:
        bare = _bare(station_id, request_id)
        command = _asked_by(station_id, bare)
        if command is not None and _unfiltered(command, bare):
            _clear_unreported(station_id, command)
    return len(message_info)


def request_command(*, station_id: int, request_id: int) -> Command | None:
    """The GetDisplayMessages that asked for the report `request_id`."""
    return _asked_by(station_id, _bare(station_id, request_id))


# --- helpers ---------------------------------------------------------------------------------


def _next_message_id(station_id: int) -> int:
    highest = DisplayMessage.objects.filter(station_id=station_id).aggregate(Max("message_id"))
    return (highest["message_id__max"] or 0) + 1


def _fields(info: DisplayMessageInfo) -> dict[str, Any]:
    """The DisplayMessage fields of a message."""
    return {
        "priority": info.priority,
        "state": info.state,
        "start_at": info.start_at,
        "end_at": info.end_at,
        "transaction_id": info.transaction_id,
        "format": info.content.format,
        "language": info.content.language,
        "content": info.content.content,
        "extra": [item.as_dict() for item in info.extra],
        "display": _display(info.display),
    }


def _display(ref: ComponentVariable | None) -> dict[str, Any]:
    if ref is None:
        return {}
    display: dict[str, Any] = {"component": ref.component}
    if ref.component_instance:
        display["component_instance"] = ref.component_instance
    if ref.evse_id is not None:
        display["evse_id"] = ref.evse_id
        if ref.connector_id is not None:
            display["connector_id"] = ref.connector_id
    return display


def _as_sent(request: SetDisplayMessage) -> DisplayMessageInfo:
    """The message as the station was sent it: its times to the millisecond, in UTC."""
    return DisplayMessageInfo(
        message_id=request.message_id,
        priority=request.priority,
        content=request.content,
        state=request.state or "",
        start_at=_to_millisecond(request.start_at),
        end_at=_to_millisecond(request.end_at),
        transaction_id=request.transaction_id or "",
        extra=request.extra,
        display=request.display,
    )


def _to_millisecond(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=value.microsecond // 1000 * 1000)


def _bare(station_id: int, request_id: int) -> Message:
    """An unfiltered GetDisplayMessages of `request_id`, as the station's version writes it:
    the command that asked carries it, and carries nothing more when it was unfiltered."""
    return adapters.build(
        version=adapters.station_version(station_id),
        request=GetDisplayMessages(request_id=request_id),
    )


def _asked_by(station_id: int, bare: Message) -> Command | None:
    return (
        Command.objects.filter(
            station_id=station_id, action=bare.action, payload__contains=bare.payload
        )
        .order_by("-created_at")
        .first()
    )


def _unfiltered(command: Command, bare: Message) -> bool:
    return (command.payload or {}) == bare.payload


def _clear_unreported(station_id: int, command: Command) -> None:
    # Every message the report carried was written after the command was created (and so
    # was one set meanwhile); the rest the station no longer holds.
    DisplayMessage.objects.filter(station_id=station_id, updated_at__lt=command.created_at).exclude(
        status=DisplayMessage.Status.CLEARED
    ).update(status=DisplayMessage.Status.CLEARED, updated_at=timezone.now())
