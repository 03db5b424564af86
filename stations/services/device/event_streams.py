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
from stations.services.commands import adapters, outbound
from stations.services.commands.adapters import Request
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import StatusResult
from stations.services.device.requests import (
    AdjustPeriodicEventStream,
    GetPeriodicEventStream,
    OpenStreams,
    StatusInfo,
)
from stations.services.device.types import OpenStream, StreamParams

NO_STREAM_PARAMS = "Give a new interval, a new number of values, or both."
UNKNOWN_STREAM = (
    "The station has no open event stream {stream_id} that the back office knows of; "
    "refresh the list of streams first."
)


@dataclass(frozen=True, slots=True)
class StreamsResult:
    """The station's open streams as it wrote them, for the API's callers (the adapter's
    `OpenStreams.as_sent`); empty after a CALLERROR."""

    command: Command
    streams: list[dict[str, Any]]


# --- services --------------------------------------------------------------------------------


def get_periodic_event_streams(*, station_id: int, caller: Caller = SYSTEM) -> StreamsResult:
    """Ask the station for its open streams (N12) and bring the kept rows in line with them."""
    _require_v21(station_id, GetPeriodicEventStream)
    outcome = outbound.send(station_id=station_id, request=GetPeriodicEventStream(), caller=caller)
    answer: OpenStreams | None = outcome.answer
    if answer is None:
        return StreamsResult(outcome.command, [])
    _sync(station_id, answer.streams)
    return StreamsResult(outcome.command, list(answer.as_sent))


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
    _require_v21(station_id, AdjustPeriodicEventStream)
    stream = PeriodicEventStream.objects.filter(
        station_id=station_id, stream_id=stream_id, closed_at=None
    ).first()
    if stream is None:
        raise CommandInvalid(UNKNOWN_STREAM.format(stream_id=stream_id), field="stream_id")
    request = AdjustPeriodicEventStream(
        stream_id=stream_id, params=StreamParams(interval=interval, values=values)
    )
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    command = outcome.command
    info: StatusInfo = outcome.answer or StatusInfo()
    result = StatusResult(command, command.result_status, info.reason, info.detail)
    if result.accepted:
        _adjust(stream.pk, command, interval, values)
    return result


# --- what the station reports ------------------------------------------------------------------


def opened(
    *, station_id: int, stream_id: int, variable_monitoring_id: int, params: StreamParams
) -> PeriodicEventStream:
    """The station opened a stream (or opened one of the same id again)."""
    stream, _ = PeriodicEventStream.objects.update_or_create(
        station_id=station_id,
        stream_id=stream_id,
        defaults={
            "variable_monitoring_id": variable_monitoring_id,
            "interval": params.interval,
            "values": params.values,
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


# --- helpers ---------------------------------------------------------------------------------


def _require_v21(station_id: int, request_type: type[Request]) -> None:
    # Said here, before anything is looked up, in the adapter's words.
    adapters.require(adapters.station_version(station_id), request_type)


def _sync(station_id: int, streams: tuple[OpenStream, ...]) -> None:
    now = timezone.now()
    with transaction.atomic():
        # Locked: an Open/Close from the station may arrive while the list is applied.
        Station.objects.select_for_update().only("pk").get(pk=station_id)
        for open_stream in streams:
            kept = {
                "variable_monitoring_id": open_stream.variable_monitoring_id,
                "interval": open_stream.params.interval,
                "values": open_stream.params.values,
            }
            PeriodicEventStream.objects.update_or_create(
                station_id=station_id,
                stream_id=open_stream.stream_id,
                defaults={**kept, "closed_at": None},
                create_defaults={**kept, "opened_at": now},
            )
        PeriodicEventStream.objects.filter(station_id=station_id, closed_at=None).exclude(
            stream_id__in=[open_stream.stream_id for open_stream in streams]
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
