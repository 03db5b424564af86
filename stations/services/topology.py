"""EVSE and connector rows, created the first time a station mentions them."""

from __future__ import annotations

from stations.models import Connector, Evse

from .types import EvseRef


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
    evse_row, _ = Evse.objects.get_or_create(station_id=station_id, evse_id=evse.evse_id)
    connector, _ = Connector.objects.get_or_create(evse=evse_row, connector_id=connector_id)
    if lock:
        connector = Connector.objects.select_for_update().get(pk=connector.pk)
    return connector
