"""The live pages' side of the charging core's domain events: each becomes a batched
fragment refresh for the pages watching that station, session or the network (`publisher`).
Cheap by design (no query): they run in the answer's path of the charger's message."""

from __future__ import annotations

from backoffice.lib import live_publisher as publisher
from stations import events


@events.subscriber(events.TransactionUpdated)
def transaction_updated(event: events.TransactionUpdated) -> None:
    publisher.transaction_changed(station_id=event.station_id, transaction_pk=event.transaction_pk)


@events.subscriber(events.MeterValuesStored)
def meter_values_stored(event: events.MeterValuesStored) -> None:
    if event.transaction_pk is None:
        return
    publisher.publish_on_commit(
        [publisher.transaction_group(event.transaction_pk)],
        {"kind": "transaction.meter", "transaction": event.transaction_pk},
    )


@events.subscriber(events.ConnectorStatusReported)
def status_reported(event: events.ConnectorStatusReported) -> None:
    if event.applied:
        _station_and_network(event.station_id, "station.status")


@events.subscriber(events.StationOnline)
def station_online(event: events.StationOnline) -> None:
    _station_and_network(event.station_id, "station.online")


@events.subscriber(events.StationOffline)
def station_offline(event: events.StationOffline) -> None:
    _station_and_network(event.station_id, "station.offline")


@events.subscriber(events.SecurityEventRecorded)
def security_event(event: events.SecurityEventRecorded) -> None:
    _station_and_network(event.station_id, "station.security")


@events.subscriber(events.CommandFinished)
def command_finished(event: events.CommandFinished) -> None:
    publisher.publish_on_commit(
        [publisher.station_group(event.station_id)],
        {"kind": "command.finished", "station": event.station_id, "command": event.command_id},
    )


def _station_and_network(station_id: int, kind: str) -> None:
    publisher.publish_on_commit(
        [publisher.station_group(station_id), publisher.NETWORK_GROUP],
        {"kind": kind, "station": station_id},
    )
