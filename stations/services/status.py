"""StatusNotification: status is a state, the notifications are its history."""

from __future__ import annotations

from django.db import transaction

from stations.models import Station, StatusEvent

from . import topology
from .types import StatusReport


def report(*, station_id: int, report: StatusReport) -> bool:
    """Keep the notification in the history and apply it unless a newer one already was.

    Returns whether the status was applied. A late, replayed notification (older charger
    timestamp than the current status) is kept in the history only.
    """
    with transaction.atomic():
        if report.evse is None:
            # Locked: two notifications for the station must not interleave compare and set.
            target = Station.objects.select_for_update().only("status_at").get(pk=station_id)
        else:
            target = topology.connector_for(station_id=station_id, evse=report.evse, lock=True)
        applied = target.status_at is None or report.timestamp >= target.status_at
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
        if applied:
            target.status = report.status
            target.error_code = report.error_code
            target.status_at = report.timestamp
            fields = ["status", "error_code", "status_at"]
            if report.evse is not None:
                target.info = report.info
                target.vendor_id = report.vendor_id
                target.vendor_error_code = report.vendor_error_code
                fields += ["info", "vendor_id", "vendor_error_code"]
            target.save(update_fields=fields)
    return applied
