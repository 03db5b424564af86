"""EVSE and connector rows, created the first time a station mentions them."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from backoffice.lib import raw_sql
from stations.models import Connector
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


# A connector's first mention: its EVSE and its own row, unless they exist (a concurrent
# first notification of the same connector inserts nothing). Two statements: the second sees
# the first's row. Hand-written: every connector of a new station passes here, all at once in
# a first-boot burst, where bulk_create and the EVSE lookup were the status path's largest
# cost (raw_sql says more).
_EVSE_SQL = """
INSERT INTO stations_evse (station_id, evse_id) VALUES (%(station)s, %(evse)s)
ON CONFLICT DO NOTHING
"""
_CONNECTOR_SQL = """
INSERT INTO stations_connector (evse_id, connector_id, status, error_code, info, vendor_id,
    vendor_error_code, status_at)
SELECT e.id, %(connector)s, '', '', '', '', '', NULL FROM stations_evse e
WHERE e.station_id = %(station)s AND e.evse_id = %(evse)s
ON CONFLICT DO NOTHING
"""


def create(*, station_id: int, evse: EvseRef) -> None:
    """Insert the EVSE and connector rows of `evse` that are missing."""
    params = {"station": station_id, "evse": evse.evse_id, "connector": connector_number(evse)}
    with connection.cursor() as cursor:
        cursor.execute(_EVSE_SQL, params)
        cursor.execute(_CONNECTOR_SQL, params)


# The connector's and its EVSE's primary keys.
_IDS_SQL = """
SELECT c.id, c.evse_id FROM stations_connector c JOIN stations_evse e ON e.id = c.evse_id
WHERE e.station_id = %(station)s AND e.evse_id = %(evse)s AND c.connector_id = %(connector)s
"""


def connector_ids(*, station_id: int, evse: EvseRef) -> tuple[int, int]:
    """The (connector, EVSE) primary keys of `evse`, its rows created if new: what a session
    row needs, read without building a model (a new 2.x session passes here)."""
    params = {"station": station_id, "evse": evse.evse_id, "connector": connector_number(evse)}
    row = raw_sql.fetch_one(_IDS_SQL, params)
    if row is None:
        create(station_id=station_id, evse=evse)
        row = raw_sql.fetch_one(_IDS_SQL, params)
    if row is None:
        raise Connector.DoesNotExist(f"connector {evse} of station {station_id}")
    return row[0], row[1]


def connector_rows(*, station_id: int, evse: EvseRef) -> QuerySet[Connector]:
    """The connector of `evse` as a queryset (empty while it is new), for callers that lock it
    or read more of it in the same SELECT."""
    # order_by("pk"): Connector's default ordering would join Station and sort by identity
    # under FOR UPDATE, the costliest query of the status path (measured in bench/).
    return Connector.objects.filter(
        evse__station_id=station_id, evse__evse_id=evse.evse_id, connector_id=connector_number(evse)
    ).order_by("pk")


def connector_number(evse: EvseRef) -> int:
    """The connector id of `evse` in our rows (0: the EVSE itself, when none is named)."""
    return evse.connector_id if evse.connector_id is not None else 0
