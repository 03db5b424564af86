"""StatusNotification: status is a state, the notifications are its history."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from stations import events
from stations.models import Connector, Station, StatusEvent
from stations.services.charging import topology
from stations.services.types import StatusReport


def report(*, station_id: int, report: StatusReport) -> bool:
    """Keep the notification in the history and apply it unless a newer one already was.

    Returns whether the status was applied. A late, replayed notification (older charger
    timestamp than the current status) is kept in the history only.
    """
    # One transaction, so one commit (one WAL flush) per notification, even for the first
    # notification of a connector, which creates its rows: commits dominated the start burst.
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
        # One conditional UPDATE compares and sets atomically (no lock needed):
        # a notification older than the applied status changes nothing (a late replay).
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
