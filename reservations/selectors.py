"""Reads of reservations for other apps' pages."""

from __future__ import annotations

from reservations.models import Reservation
from stations.models import Station


def active_reservations(station: Station) -> list[Reservation]:
    """The reservations the station holds now, the soonest to expire first."""
    return list(
        Reservation.objects.filter(station=station, status__in=Reservation.ACTIVE).order_by(
            "expires_at"
        )
    )
