"""Reservations' side of the charging core's domain events: a session started on a
reservation uses it; a station's report on a reservation moves it along. Both are rare (a
few per reservation), so they work in the answer's path."""

from __future__ import annotations

from stations import events

from .services import lifecycle


@events.subscriber(events.ReservationUsed)
def reservation_used(event: events.ReservationUsed) -> None:
    lifecycle.mark_used(
        station_id=event.station_id,
        reservation_id=event.reservation_id,
        transaction_pk=event.transaction_pk,
    )


@events.subscriber(events.ReservationStatusReported)
def reservation_status_reported(event: events.ReservationStatusReported) -> None:
    lifecycle.station_update(
        station_id=event.station_id, reservation_id=event.reservation_id, update=event.status
    )
