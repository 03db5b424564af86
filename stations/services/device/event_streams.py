"""Periodic event streams (OCPP 2.1, N11-N15): frequent monitor values a station sends in
batches over a stream it opened.

The station opens and closes streams (OpenPeriodicEventStream / ClosePeriodicEventStream):
they are kept as PeriodicEventStream rows. The back office reads the station's list
(GetPeriodicEventStream, which also corrects the rows: the station is the truth) and changes
how often one stream is flushed (AdjustPeriodicEventStream). Only 2.1 stations are spoken to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from backoffice.audit import services as audit
from stations.exceptions import CommandInvalid
from stations.models import Command, PeriodicEventStream, Station
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import Message
from stations.services.commands.v21_commands import StatusResult, require_v21, send_v21, status_of

NO_STREAM_PARAMS = "Give a new interval, a new number of values, or both."
UNKNOWN_STREAM = (
    "The station has no open event stream {stream_id} that the back office knows of; "
    "refresh the list of streams first."
)


@dataclass(frozen=True, slots=True)
class StreamsResult:
    """The station's open streams, camelCase as it sent them (ConstantStreamDataType):
    [{"id": 4, "variableMonitoringId": 12, "params": {"interval": 60, "values": 60}}]."""

    command: Command
    streams: list[dict[str, Any]]


# --- services --------------------------------------------------------------------------------


def get_periodic_event_streams(*, station_id: int, caller: Caller = SYSTEM) -> StreamsResult:
    """Ask the station for its open streams (N12) and bring the kept rows in line with them."""
    command = send_v21(station_id, build_get_periodic_event_stream(), caller)
    streams = list((command.response or {}).get("constantStreamData") or [])
    if command.state == Command.State.ANSWERED:
        _sync(station_id, streams)
    return StreamsResult(command, streams)


def adjust_periodic_event_stream(
    *,
    station_id: int,
    stream_id: int,
    interval: int | None = None,
    values: int | None = None,
    caller: Caller = SYSTEM,
) -> StatusResult:
    """Change how often an open stream is flushed: every `interval` seconds and/or every
    `values` values (N14). The kept stream takes the new parameters when Accepted."""
    require_v21(station_id, "AdjustPeriodicEventStream")
    stream = PeriodicEventStream.objects.filter(
        station_id=station_id, stream_id=stream_id, closed_at=None
    ).first()
    if stream is None:
        raise CommandInvalid(UNKNOWN_STREAM.format(stream_id=stream_id), field="stream_id")
    message = build_adjust_periodic_event_stream(
        stream_id=stream_id, interval=interval, values=values
    )
    command = send_v21(station_id, message, caller)
    result = status_of(command)
    if result.accepted:
        _adjust(stream.pk, command, interval, values)
    return result


# --- what the station reports ------------------------------------------------------------------


def opened(
    *, station_id: int, stream_id: int, variable_monitoring_id: int, params: dict[str, Any]
) -> PeriodicEventStream:
    """The station opened a stream (or opened one of the same id again)."""
    stream, _ = PeriodicEventStream.objects.update_or_create(
        station_id=station_id,
        stream_id=stream_id,
        defaults={
            "variable_monitoring_id": variable_monitoring_id,
            "interval": params.get("interval"),
            "values": params.get("values"),
            "opened_at": timezone.now(),
            "closed_at": None,
        },
    )
    return stream


def closed(*, station_id: int, stream_id: int) -> None:
    """The station closed a stream; a stream never seen open changes nothing."""
    PeriodicEventStream.objects.filter(
        station_id=station_id, stream_id=stream_id, closed_at=None
    ).update(closed_at=timezone.now())


# --- payloads --------------------------------------------------------------------------------


def build_get_periodic_event_stream() -> Message:
    return Message("GetPeriodicEventStream", {})


def build_adjust_periodic_event_stream(
    *, stream_id: int, interval: int | None = None, values: int | None = None
) -> Message:
    if interval is None and values is None:
        raise CommandInvalid(NO_STREAM_PARAMS)
    params: dict[str, int] = {}
    if interval is not None:
        params["interval"] = interval
    if values is not None:
        params["values"] = values
    return Message("AdjustPeriodicEventStream", {"id": stream_id, "params": params})


# --- helpers ---------------------------------------------------------------------------------


def _sync(station_id: int, streams: list[dict[str, Any]]) -> None:
    now = timezone.now()
    with transaction.atomic():
        # Locked: an Open/Close from the station may arrive while the list is applied.
        Station.objects.select_for_update().only("pk").get(pk=station_id)
        for data in streams:
            params = data.get("params") or {}
            PeriodicEventStream.objects.update_or_create(
                station_id=station_id,
                stream_id=data["id"],
                defaults={
                    "variable_monitoring_id": data["variableMonitoringId"],
                    "interval": params.get("interval"),
                    "values": params.get("values"),
                    "closed_at": None,
                },
                create_defaults={
                    "variable_monitoring_id": data["variableMonitoringId"],
                    "interval": params.get("interval"),
                    "values": params.get("values"),
                    "opened_at": now,
                },
            )
        PeriodicEventStream.objects.filter(station_id=station_id, closed_at=None).exclude(
            stream_id__in=[data["id"] for data in streams]
        ).update(closed_at=now)


def _adjust(stream_pk: int, command: Command, interval: int | None, values: int | None) -> None:
    fields: dict[str, Any] = {}
    if interval is not None:
        fields["interval"] = interval
    if values is not None:
        fields["values"] = values
    with transaction.atomic():
        # Locked: the station may close the stream at the same moment.
        stream = PeriodicEventStream.objects.select_for_update().get(pk=stream_pk)
        for name, value in fields.items():
            setattr(stream, name, value)
        stream.save(update_fields=[*fields, "updated_at"])
        audit.record(
            action="stations.event_stream.adjust",
            actor=command.actor,
            actor_label=command.actor_label,
            target=stream.station,
            data={"command_id": command.pk, "stream_id": stream.stream_id, **fields},
        )
