"""The driver's reservations, scoped to the driver (DESIGN §4): those made for one of their id
tokens. Anybody else's is not found (Http404), whatever the user's staff role.

Drivers do not make reservations yet (operators do, for a driver's card): a later issue adds
that, and these reads stay as they are.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from reservations.models import Reservation

from .selectors import sessions_of


def reservations_for(user: Any, *, active: bool | None = None) -> QuerySet[Reservation]:
    """The user's reservations, newest first, with station, site and id token; `active`: only
    those still holding (True) or only those ended (False)."""
    if not getattr(user, "is_authenticated", False):
        return Reservation.objects.none()
    reservations = Reservation.objects.filter(id_token__user=user).select_related(
        "station__site", "id_token"
    )
    if active is not None:
        held = {"status__in": Reservation.ACTIVE}
        reservations = reservations.filter(**held) if active else reservations.exclude(**held)
    return reservations.order_by("-created_at", "-pk")


def reservation_for(user: Any, pk: int) -> Reservation:
    """One of the user's reservations; Http404 for anybody else's."""
    reservation = reservations_for(user).filter(pk=pk).first()
    if reservation is None:
        raise Http404("No reservation has this id.")
    return reservation


def session_of(user: Any, reservation: Reservation) -> int | None:
    """The pk of the session the reservation was used for, when it is one of the user's
    sessions (a card's session always is; it is looked up, not assumed)."""
    pk = reservation.transaction_id
    if pk is None or not sessions_of(user).filter(pk=pk).exists():
        return None
    return pk
