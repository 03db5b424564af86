"""EVSE and connector rows, created the first time a station mentions them."""

from __future__ import annotations

from django.db.models import QuerySet

from stations.models import Connector, Evse
from stations.services.types import EvseRef


def connector_for(*, station_id: int, evse: EvseRef, lock: bool = False) -> Connector:
    """The connector row for `evse` (created if new); locked for update when `lock` is set.

    Must run inside a transaction when `lock` is set.
    """
    rows = connector_rows(station_id=station_id, evse=evse)
    if lock:
        rows = rows.select_for_update(of=("self",))
    found = rows.first()
    if found is not None:
        return found
    create(station_id=station_id, evse=evse)
    return rows.get()


def create(*, station_id: int, evse: EvseRef) -> None:
    """Insert the EVSE and connector rows of `evse` that are missing.

    With ON CONFLICT DO NOTHING: half the round trips of get_or_create's savepoints, which
    were a third of a worker's time in a first-boot burst; a concurrent first notification of
    the same connector inserts nothing (each statement then sees the other's committed row).
    """
    Evse.objects.bulk_create(
        [Evse(station_id=station_id, evse_id=evse.evse_id)], ignore_conflicts=True
    )
    evse_pk = (
        Evse.objects.filter(station_id=station_id, evse_id=evse.evse_id)
        .values_list("pk", flat=True)
        .get()
    )
    Connector.objects.bulk_create(
        [Connector(evse_id=evse_pk, connector_id=_connector_id(evse))], ignore_conflicts=True
    )


def connector_rows(*, station_id: int, evse: EvseRef) -> QuerySet[Connector]:
    """The connector of `evse` as a queryset (empty while it is new), for callers that lock it
    or read more of it in the same SELECT."""
    # order_by("pk"): Connector's default ordering would join Station and sort by identity
    # under FOR UPDATE, the costliest query of the status path (measured in bench/).
    return Connector.objects.filter(
        evse__station_id=station_id, evse__evse_id=evse.evse_id, connector_id=_connector_id(evse)
    ).order_by("pk")


def _connector_id(evse: EvseRef) -> int:
    return evse.connector_id if evse.connector_id is not None else 0
