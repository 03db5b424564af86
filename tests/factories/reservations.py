from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from reservations.models import Reservation
from tests.factories.stations import StationFactory


class ReservationFactory(factory.django.DjangoModelFactory):
    """An accepted reservation of EVSE 1, expiring in an hour."""

    class Meta:
        model = Reservation

    station = factory.SubFactory(StationFactory)
    evse_id = 1
    id_tag = factory.Sequence(lambda n: f"RES-TAG{n:04d}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    reservation_id = factory.Sequence(lambda n: 1000 + n)
    status = Reservation.Status.ACCEPTED
