"""The command bus, caller side: record a command, wake the process holding the station's
socket, and wait for the outcome in the command's row (`send`), or return at once and leave
the outcome to be recorded there by that process (`dispatch`).

The row in the database is the truth; the channel layer only wakes the process (it delivers at
most once and may drop messages). A lost wake-up becomes a timeout, never a double send: the
process claims a command (queued -> sent) before sending it, once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import structlog
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backoffice.audit import services as audit
from stations import events
from stations.exceptions import (
    CommandError,
    CommandInvalid,
    CommandTimeout,
    StationNotConnected,
    StationUnreachable,
)
from stations.models import Command, Station
from stations.services.charging import connections
from stations.services.commands import adapters, command_secrets

log = structlog.get_logger(__name__)

WAKE_UP = "ocpp.command"
# The reason on a command that could not be handed to the station's server process.
UNREACHABLE = (
    "The station's server process could not be reached (channel layer unavailable): "
    "nothing was sent."
)
_POLL_SECONDS = 0.05
# The caller waits this much longer than the station is given: the hop to the holding process.
_HOP_SECONDS = 2


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asks for a command (a user, or a named API client or task) and how long the station
    is given to answer (None: OCPP_RESPONSE_TIMEOUT)."""

    user: Any = None
    label: str = ""
    timeout: float | None = None


SYSTEM = Caller()


class Answered:
    """Base of the services' results that carry the station's `status` ("" after a CALLERROR:
    then `command.error_code` says why)."""

    __slots__ = ()
    status: str

    @property
    def accepted(self) -> bool:
        return self.status == "Accepted"


def send(
    *, station_id: int, action: str, payload: dict[str, Any], caller: Caller = SYSTEM
) -> Command:
    """Send `action` to the station and return the finished command (answered or CALLERROR).

    Raises CommandInvalid (nothing sent) when the payload breaks the station's schema,
    StationNotConnected at once when no process holds the station, StationUnreachable at once
    when its process cannot be reached, CommandTimeout when no answer came in time. Every
    outcome is recorded on the Command row, and the request in the audit trail.
    """
    command = _record(station_id=station_id, action=action, payload=payload, caller=caller)
    try:
        _wake(command)
        return _without_secrets(wait(command_id=command.pk, timeout=caller.timeout))
    except CommandError as err:
        if err.command is not None:
            _without_secrets(err.command)
        raise


def dispatch(
    *, station_id: int, action: str, payload: dict[str, Any], caller: Caller = SYSTEM
) -> Command:
    """Send `action` to the station without waiting for its answer: record the command, wake
    the process holding the socket and return the command as recorded (queued).

    For callers that must not block (a meter value's commit callback, a task of many). The
    holding process claims, sends and records the answer, CALLERROR or its own response
    timeout on the row, as for `send`; read the row later for the outcome. Raises like `send`:
    CommandInvalid (nothing recorded), StationNotConnected (recorded offline). Not for
    commands with secrets (they are masked once answered, by the waiting caller): CommandInvalid.
    StationUnreachable (recorded failed) as for `send`.

    Nobody times the row out here: when the wake-up is lost or the socket closes before the
    answer, the command stays queued or sent. A caller that retries closes the old one with
    `record_timeout` first: a process claims only queued commands, so it is never sent late.
    """
    if command_secrets.has_secrets(action):
        raise CommandInvalid(f"{action} carries secrets: send it and wait for the answer.")
    command = _record(station_id=station_id, action=action, payload=payload, caller=caller)
    _wake(command)
    return command


def _record(*, station_id: int, action: str, payload: dict[str, Any], caller: Caller) -> Command:
    """Validate and record the command (queued) and its request in the audit trail."""
    station = Station.objects.only("pk", "identity", "ocpp_version").get(pk=station_id)
    adapters.adapter_for(station.ocpp_version).check(action, payload)
    user = caller.user if getattr(caller.user, "pk", None) else None
    with transaction.atomic():
        command = Command.objects.create(
            station=station,
            action=action,
            payload=payload,
            actor=user,
            actor_label=caller.label,
            timeout_seconds=caller.timeout,
        )
        audit.record(
            action=f"stations.command.{action}",
            actor=user,
            actor_label=caller.label,
            target=station,
            data={"command_id": command.pk, "payload": command_secrets.redact(payload)},
        )
    return command


def _wake(command: Command) -> None:
    """Wake the process holding the station's socket; StationNotConnected (the command
    recorded offline) when none holds it, StationUnreachable (recorded failed) when the wake-up
    cannot be handed to the channel layer (Redis unavailable; the layer itself delivers in
    memory to a socket of this very process)."""
    channel = connections.channel_for(station_id=command.station_id)
    if channel is None:
        _finish(command.pk, state=Command.State.OFFLINE)
        command.refresh_from_db()
        raise StationNotConnected("The station is not connected.", command=command)
    try:
        async_to_sync(get_channel_layer().send)(
            channel, {"type": WAKE_UP, "command_id": command.pk}
        )
    except Exception as err:
        # Any failure to hand it over (unreachable, timed out, channel full): not sent, and
        # never will be (a late wake-up finds the row final: claim() takes queued ones only).
        log.warning(
            "commands.wake_up_failed", command_id=command.pk, channel=channel, error=repr(err)
        )
        _finish(command.pk, state=Command.State.FAILED, error_description=UNREACHABLE)
        command.refresh_from_db()
        raise StationUnreachable(UNREACHABLE, command=command) from err


def _without_secrets(command: Command) -> Command:
    """Mask the finished command's secrets, stored and in hand (the CALL went out, or never
    will: a process claims only queued commands)."""
    masked = command_secrets.redact(command.payload)
    if masked is not command.payload:
        command.payload = masked
        Command.objects.filter(pk=command.pk).update(payload=masked)
    return command


def response_timeout(command: Command) -> float:
    """How long the station is given to answer this command."""
    return command.timeout_seconds or settings.OCPP_RESPONSE_TIMEOUT


def wait(*, command_id: int, timeout: float | None = None) -> Command:
    """Poll the command's row until it is finished; time it out when nobody finishes it."""
    deadline = time.monotonic() + (timeout or settings.OCPP_RESPONSE_TIMEOUT) + _HOP_SECONDS
    while time.monotonic() < deadline:
        command = Command.objects.get(pk=command_id)
        if command.finished:
            break
        time.sleep(_POLL_SECONDS)
    else:
        _finish(command_id, state=Command.State.TIMED_OUT, only_unfinished=True)
        command = Command.objects.get(pk=command_id)
    if command.state == Command.State.TIMED_OUT:
        raise CommandTimeout("The station did not answer in time.", command=command)
    return command


def claim(*, command_id: int, message_id: str) -> Command | None:
    """Take a queued command for sending (once); None when it was taken or finished already.

    State `sent` means handed to the station's process; `sent_at` is set when the CALL
    actually leaves (`mark_sent`), after any command queued before it is answered.
    """
    with transaction.atomic():
        # Locked so a duplicated wake-up cannot send the command twice.
        command = Command.objects.select_for_update().filter(pk=command_id).first()
        if command is None or command.state != Command.State.QUEUED:
            return None
        command.state = Command.State.SENT
        command.message_id = message_id
        command.save(update_fields=["state", "message_id"])
    return command


def mark_sent(*, command_id: int) -> None:
    """The CALL goes out now (after any command queued before it for the station)."""
    Command.objects.filter(pk=command_id).update(sent_at=timezone.now())


def record_answer(*, command_id: int, payload: dict[str, Any]) -> None:
    status = payload.get("status")
    _finish(
        command_id,
        state=Command.State.ANSWERED,
        # A station may answer with its own credentials (GetConfiguration, GetVariables).
        response=command_secrets.redact(payload),
        result_status=status if isinstance(status, str) else "",
    )


def record_call_error(*, command_id: int, code: str, description: str) -> None:
    _finish(
        command_id,
        state=Command.State.CALL_ERROR,
        error_code=code,
        error_description=description[:255],
    )


def record_timeout(*, command_id: int) -> None:
    _finish(command_id, state=Command.State.TIMED_OUT, only_unfinished=True)


def _finish(command_id: int, *, state: str, only_unfinished: bool = False, **fields: Any) -> None:
    rows = Command.objects.filter(pk=command_id)
    if only_unfinished:
        rows = rows.exclude(state__in=Command.FINAL)
    if rows.update(state=state, finished_at=timezone.now(), **fields):
        station_id = Command.objects.values_list("station_id", flat=True).get(pk=command_id)
        events.announce(
            events.CommandFinished(station_id=station_id, command_id=command_id, state=state)
        )
