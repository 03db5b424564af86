"""The reservation commands of `reservations.services.reservations` offered by the REST API
(`stations.api.registry`); registered by `ReservationsConfig.ready`.

Each input serializer's fields are exactly its service's keyword arguments. `reservation_id`
is the id the station knows the reservation by, as the reserve command's result gives it.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reservations.services import reservations
from reservations.services.catalogue import CANCEL_RESERVATION, RESERVE_NOW
from stations.api.registry import spec_of


class ReserveNowInput(serializers.Serializer):
    id_token = serializers.CharField(max_length=255, help_text="The driver's id token.")
    expires_at = serializers.DateTimeField(help_text="When the station frees the EVSE again.")
    evse_id = serializers.IntegerField(
        min_value=1, required=False, help_text="Leave out to reserve any EVSE of the station."
    )
    connector_type = serializers.CharField(
        max_length=20, required=False, help_text="OCPP 2.x: a connector type, e.g. cCCS2."
    )
    group_id_token = serializers.CharField(
        max_length=255, required=False, help_text="Default: the id token's group."
    )


class CancelReservationInput(serializers.Serializer):
    reservation_id = serializers.IntegerField(min_value=0)


def _reservation(outcome: reservations.ReservationResult) -> dict[str, Any]:
    reservation = outcome.reservation
    return {
        "status": outcome.status,
        "reservation_id": reservation.reservation_id,
        "reservation_status": reservation.status,
        "expires_at": reservation.expires_at.isoformat(),
    }


SPECS = [
    spec_of(RESERVE_NOW, ReserveNowInput, render=_reservation),
    spec_of(CANCEL_RESERVATION, CancelReservationInput, render=_reservation),
]
