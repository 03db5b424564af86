"""What happens to a reservation after the station took it: the station's own updates (2.x
ReservationStatusUpdate), a transaction started with it, and expiry.

The station is the evidence: a transaction it started with a reservation marks the reservation
used even when our expiry sweep ended it a moment earlier. Every function here is idempotent;
an unknown reservation id changes nothing and is logged.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from django.db import transaction
from django.utils import timezone

from reservations.models import Reservation

log = structlog.get_logger(__name__)

# ReservationStatusUpdate's reservationUpdateStatus (NoTransaction: 2.1 only).
_UPDATES = {
    "Expired": Reservation.Status.EXPIRED,
    "Removed": Reservation.Status.REMOVED,
    "NoTransaction": Reservation.Status.NO_TRANSACTION,
}


def station_update(*, station_id: int, reservation_id: int, update: str) -> Reservation | None:
    """Apply a 2.x ReservationStatusUpdate: the station ended the reservation. Only an active
    reservation changes (a late update after a use or a cancel changes nothing)."""
    status = _UPDATES.get(update)
    with transaction.atomic():
        # Locked: a transaction starting with the reservation may be marking it used.
        reservation = _locked(station_id, reservation_id)
        if reservation is None or status is None:
            log.warning(
                "reservation.unknown_update",
                station_id=station_id,
                reservation_id=reservation_id,
                update=update,
            )
            return reservation
        if reservation.active:
            _end(reservation, status)
    return reservation


def mark_used(*, station_id: int, reservation_id: int, transaction_pk: int) -> None:
    """A transaction started with this reservation (1.6 StartTransaction reservationId, 2.x
    TransactionEvent reservationId): it is used, by that transaction. Idempotent."""
    with transaction.atomic():
        reservation = _locked(station_id, reservation_id)
        if reservation is None:
            log.warning(
                "reservation.unknown_used", station_id=station_id, reservation_id=reservation_id
            )
            return
        if reservation.status == Reservation.Status.USED:
            return
        if not reservation.active:
            log.warning(
                "reservation.used_after_end",
                reservation_id=reservation_id,
                status=reservation.status,
            )
        reservation.transaction_id = transaction_pk
        _end(reservation, Reservation.Status.USED, extra=["transaction"])


def expire_overdue(*, now: datetime | None = None) -> int:
    """End every active reservation past its expiry; returns how many. 1.6 stations never say
    a reservation expired, so this sweep is how their reservations end when unused."""
    moment = now or timezone.now()
    # One UPDATE: under READ COMMITTED each row's status is checked again once its lock is
    # free, so a reservation marked used meanwhile is not expired.
    expired = Reservation.objects.filter(
        status__in=Reservation.ACTIVE, expires_at__lte=moment
    ).update(status=Reservation.Status.EXPIRED, ended_at=moment, updated_at=moment)
    if expired:
        log.info("reservation.expired", count=expired)
    return expired


def _locked(station_id: int, reservation_id: int) -> Reservation | None:
    return (
        Reservation.objects.select_for_update()
        .filter(station_id=station_id, reservation_id=reservation_id)
        .first()
    )


def _end(reservation: Reservation, status: str, extra: list[str] | None = None) -> None:
    reservation.status = status
    reservation.ended_at = timezone.now()
    reservation.save(update_fields=["status", "ended_at", "updated_at", *(extra or [])])
    log.info(
        "reservation.ended",
        station_id=reservation.station_id,
        reservation_id=reservation.reservation_id,
        status=status,
    )
