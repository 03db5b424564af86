"""The reservation commands people send to stations, for the command catalogue
(`stations.services.commands.catalogue`); registered by `ReservationsConfig.ready`."""

from __future__ import annotations

from reservations.services import reservations
from stations.services.commands.catalogue import ALL_VERSIONS, Command

RESERVE_NOW = Command(
    name="reserve-now",
    service=reservations.reserve_now,
    versions=ALL_VERSIONS,
    summary="Reserve an EVSE (or any EVSE) of the station for an id token until a time.",
    fields=("id_token", "expires_at", "evse_id", "connector_type", "group_id_token"),
)
CANCEL_RESERVATION = Command(
    name="cancel-reservation",
    service=reservations.cancel,
    versions=ALL_VERSIONS,
    summary="Cancel a reservation the station holds.",
    fields=("reservation_id",),
)
COMMANDS = (RESERVE_NOW, CANCEL_RESERVATION)
