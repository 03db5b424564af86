"""Periodic event streams (OCPP 2.1 only): the station's list of open streams, and adjusting
how often one is flushed."""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import Message
from stations.services.device.event_streams import NO_STREAM_PARAMS
from stations.services.device.requests import (
    AdjustPeriodicEventStream,
    GetPeriodicEventStream,
    OpenStreams,
    StatusInfo,
)
from stations.services.device.types import OpenStream, StreamParams

from .adapter import ADAPTER, builds_new


@builds_new(GetPeriodicEventStream)
def get_periodic_event_stream(request: GetPeriodicEventStream, version: str) -> Message:
    return Message("GetPeriodicEventStream", {})


@ADAPTER.reads(GetPeriodicEventStream)
def open_streams(
    request: GetPeriodicEventStream, response: dict[str, Any], version: str
) -> OpenStreams:
    as_sent = list(response.get("constantStreamData") or [])
    return OpenStreams(
        streams=tuple(
            OpenStream(
                stream_id=data["id"],
                variable_monitoring_id=data["variableMonitoringId"],
                params=_params(data.get("params") or {}),
            )
            for data in as_sent
        ),
        as_sent=as_sent,
    )


@builds_new(AdjustPeriodicEventStream, fields={"id": "stream_id"})
def adjust_periodic_event_stream(request: AdjustPeriodicEventStream, version: str) -> Message:
    params: dict[str, int] = {}
    if request.params.interval is not None:
        params["interval"] = request.params.interval
    if request.params.values is not None:
        params["values"] = request.params.values
    if not params:
        raise CommandInvalid(NO_STREAM_PARAMS)
    return Message("AdjustPeriodicEventStream", {"id": request.stream_id, "params": params})


@ADAPTER.reads(AdjustPeriodicEventStream)
def status_info(
    request: AdjustPeriodicEventStream, response: dict[str, Any], version: str
) -> StatusInfo:
    info = response.get("statusInfo") or {}
    return StatusInfo(info.get("reasonCode", ""), info.get("additionalInfo", ""))


def _params(data: dict[str, Any]) -> StreamParams:
    return StreamParams(interval=data.get("interval"), values=data.get("values"))
