"""StatusNotification: status is a state, the notifications are its history."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from stations import events
from stations.models import Connector, Station, StatusEvent
from stations.services.charging import topology
from stations.services.types import StatusReport

# One statement applies a connector's notification and keeps it in the history: a
# StatusNotification is the commonest message of a station after its meter values, and this
# was a transaction of three statements (five round trips with BEGIN and COMMIT). The UPDATE
# compares and sets atomically (no lock needed): a notification older than the applied status
# changes nothing (a late replay). No row back: the connector is new (`report` creates it).
# Uses index: connector_unique_per_evse, evse_unique_per_station.
_CONNECTOR_SQL = """
WITH target AS (
    SELECT c.id FROM stations_connector c JOIN stations_evse e ON e.id = c.evse_id
    WHERE e.station_id = %(station)s AND e.evse_id = %(evse)s AND c.connector_id = %(lookup)s
), applied AS (
    UPDATE stations_connector c
    SET status = %(status)s, error_code = %(error_code)s, status_at = %(at)s, info = %(info)s,
        vendor_id = %(vendor_id)s, vendor_error_code = %(vendor_error_code)s
    FROM target
    WHERE c.id = target.id AND (c.status_at IS NULL OR c.status_at <= %(at)s)
    RETURNING c.id
)
INSERT INTO stations_statusevent (station_id, evse_id, connector_id, status, error_code, info,
    vendor_id, vendor_error_code, timestamp, received_at, applied)
SELECT %(station)s, %(evse)s, %(connector)s, %(status)s, %(error_code)s, %(info)s,
    %(vendor_id)s, %(vendor_error_code)s, %(at)s, %(received)s, EXISTS (SELECT 1 FROM applied)
FROM target
RETURNING applied
"""

# The same for a notification about the station as a whole (1.6 connector 0).
_STATION_SQL = """
WITH applied AS (
    UPDATE stations_station SET status = %(status)s, error_code = %(error_code)s, status_at = %(at)s
    WHERE id = %(station)s AND (status_at IS NULL OR status_at <= %(at)s)
    RETURNING id
)
INSERT INTO stations_statusevent (station_id, evse_id, connector_id, status, error_code, info,
    vendor_id, vendor_error_code, timestamp, received_at, applied)
VALUES (%(station)s, NULL, NULL, %(status)s, %(error_code)s, %(info)s, %(vendor_id)s,
    %(vendor_error_code)s, %(at)s, %(received)s, EXISTS (SELECT 1 FROM applied))
RETURNING applied
"""


def report(*, station_id: int, report: StatusReport) -> bool:
    """Keep the notification in the history and apply it unless a newer one already was.

    Returns whether the status was applied. A late, replayed notification (older charger
    timestamp than the current status) is kept in the history only.
    """
    if connection.vendor == "postgresql":
        found = _report_in_one_statement(station_id, report)
        applied = found if found is not None else _report_new_connector(station_id, report)
    else:
        applied = _report_with_the_orm(station_id, report)
    events.announce(
        events.ConnectorStatusReported(
            station_id=station_id,
            evse_id=report.evse.evse_id if report.evse else None,
            connector_id=report.evse.connector_id if report.evse else None,
            status=report.status,
            error_code=report.error_code,
            at=report.timestamp,
            applied=applied,
        )
    )
    return applied


def _report_in_one_statement(station_id: int, report: StatusReport) -> bool | None:
    """Apply and keep `report` (PostgreSQL); None when its connector does not exist yet."""
    params: dict[str, Any] = {
        "station": station_id,
        "status": report.status,
        "error_code": report.error_code,
        "at": report.timestamp,
        "info": report.info,
        "vendor_id": report.vendor_id,
        "vendor_error_code": report.vendor_error_code,
        "received": timezone.now(),
    }
    sql = _STATION_SQL
    if report.evse is not None:
        sql = _CONNECTOR_SQL
        params |= {
            "evse": report.evse.evse_id,
            "connector": report.evse.connector_id,
            "lookup": report.evse.connector_id if report.evse.connector_id is not None else 0,
        }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else bool(row[0])


def _report_new_connector(station_id: int, report: StatusReport) -> bool:
    """A connector's first notification: its rows, then the notification, in one commit."""
    if report.evse is None:
        raise Station.DoesNotExist(f"no station {station_id}")
    with transaction.atomic():
        topology.create(station_id=station_id, evse=report.evse)
        applied = _report_in_one_statement(station_id, report)
    if applied is None:
        raise Connector.DoesNotExist(f"connector {report.evse} of station {station_id}")
    return applied


def _report_with_the_orm(station_id: int, report: StatusReport) -> bool:
    """The same with the ORM (SQLite, the embedded quick start), in one transaction."""
    with transaction.atomic():
        fields = {
            "status": report.status,
            "error_code": report.error_code,
            "status_at": report.timestamp,
        }
        target: QuerySet[Any]
        if report.evse is None:
            target = Station.objects.filter(pk=station_id)
        else:
            connector = topology.connector_for(station_id=station_id, evse=report.evse)
            target = Connector.objects.filter(pk=connector.pk)
            fields |= {
                "info": report.info,
                "vendor_id": report.vendor_id,
                "vendor_error_code": report.vendor_error_code,
            }
        applied = bool(
            target.filter(Q(status_at__isnull=True) | Q(status_at__lte=report.timestamp)).update(
                **fields
            )
        )
        StatusEvent.objects.create(
            station_id=station_id,
            evse_id=report.evse.evse_id if report.evse else None,
            connector_id=report.evse.connector_id if report.evse else None,
            status=report.status,
            error_code=report.error_code,
            info=report.info,
            vendor_id=report.vendor_id,
            vendor_error_code=report.vendor_error_code,
            timestamp=report.timestamp,
            applied=applied,
        )
    return applied
