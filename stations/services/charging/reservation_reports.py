"""What stations say about the reservations they hold: announced for the reservations app
(the charging core keeps no reservation state of its own)."""

from __future__ import annotations

from stations import events


def status_reported(*, station_id: int, reservation_id: int, status: str) -> None:
    events.announce(
        events.ReservationStatusReported(
            station_id=station_id, reservation_id=reservation_id, status=status
        )
    )
