"""The driver portal's side of the charging core's domain events.

Only sessions a driver's token started concern the portal, and the events say whose they are
(`driver_id`): every other session is passed over here without a query. A driver's session is
handed to a Celery task (eager in the quick start and the tests), so nothing here queries in
the answer's path of the charger's message, nor waits on the broker (`task_outbox`).
"""

from __future__ import annotations

from backoffice.lib import meter_series
from backoffice.lib.task_outbox import enqueue
from stations import events

from . import tasks
from .services.session_watch import CHARGING_STATUSES


@events.subscriber(events.TransactionStarted)
def transaction_started(event: events.TransactionStarted) -> None:
    if event.driver_id is not None:
        enqueue(tasks.session_started, transaction_pk=event.transaction_pk)


@events.subscriber(events.TransactionUpdated)
def transaction_updated(event: events.TransactionUpdated) -> None:
    if event.driver_id is None:
        return
    if event.token_added:
        # The driver's token came after the start: the session is theirs from now on.
        enqueue(tasks.session_started, transaction_pk=event.transaction_pk)
    elif event.charging_state != event.previous_charging_state:
        enqueue(
            tasks.charging_state_changed,
            transaction_pk=event.transaction_pk,
            previous=event.previous_charging_state,
            current=event.charging_state,
            at=event.at.isoformat() if event.at else None,
        )


@events.subscriber(events.TransactionEnded)
def transaction_ended(event: events.TransactionEnded) -> None:
    if event.driver_id is not None:
        enqueue(
            tasks.session_ended,
            transaction_pk=event.transaction_pk,
            stopped_at_limit=event.stopped_at_limit,
        )


@events.subscriber(events.MeterValuesStored)
def meter_values_stored(event: events.MeterValuesStored) -> None:
    """The frame's newest readings (energy, power, state of charge) to the session's task."""
    if event.driver_id is None or event.transaction_pk is None or not event.readings:
        return
    energy = power = soc = None
    for reading in sorted(event.readings, key=lambda r: r.timestamp):
        found = meter_series.read([sample.as_dict() for sample in reading.samples])
        energy = found.energy_wh if found.energy_wh is not None else energy
        power = found.power_w if found.power_w is not None else power
        soc = found.soc_percent if found.soc_percent is not None else soc
    enqueue(
        tasks.session_meter,
        transaction_pk=event.transaction_pk,
        energy_wh=_text(energy),
        power_w=_text(power),
        soc_percent=_text(soc),
        at=max(reading.timestamp for reading in event.readings).isoformat(),
    )


@events.subscriber(events.ConnectorStatusReported)
def status_reported(event: events.ConnectorStatusReported) -> None:
    if event.evse_id and event.status in CHARGING_STATUSES:
        enqueue(
            tasks.connector_status,
            station_id=event.station_id,
            evse_id=event.evse_id,
            status=event.status,
            at=event.at.isoformat(),
        )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
