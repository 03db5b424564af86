"""EVSE and connector rows, created the first time a station mentions them."""

from __future__ import annotations

from stations.models import Connector, Evse
from stations.services.types import EvseRef


def connector_for(*, station_id: int, evse: EvseRef, lock: bool = False) -> Connector:
    """The connector row for `evse` (created if new); locked for update when `lock` is set.

    Must run inside a transaction when `lock` is set.
    """
    connector_id = evse.connector_id if evse.connector_id is not None else 0
    # order_by("pk"): Connector's default ordering would join Station and sort by identity
    # under FOR UPDATE, the costliest query of the status path (measured in bench/).
    rows = Connector.objects.filter(
        evse__station_id=station_id, evse__evse_id=evse.evse_id, connector_id=connector_id
    ).order_by("pk")
    if lock:
        rows = rows.select_for_update(of=("self",))
    found = rows.first()
    if found is not None:
        return found
    # A new connector (a station's first notifications): insert what is missing with ON
    # CONFLICT DO NOTHING, then read it. Half the round trips of get_or_create's savepoints,
    # which were a third of a worker's time in a first-boot burst; a concurrent first
    # notification of the same connector inserts nothing and reads the same row.
    Evse.objects.bulk_create(
        [Evse(station_id=station_id, evse_id=evse.evse_id)], ignore_conflicts=True
    )
    evse_pk = (
        Evse.objects.filter(station_id=station_id, evse_id=evse.evse_id)
        .values_list("pk", flat=True)
        .get()
    )
    Connector.objects.bulk_create(
        [Connector(evse_id=evse_pk, connector_id=connector_id)], ignore_conflicts=True
    )
    return rows.get()
