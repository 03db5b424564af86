"""BootNotification: keep what the station says about itself, answer by its registration."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction

from stations import events
from stations.models import Station
from stations.services.types import BootInfo, BootResult

_IDENTITY_FIELDS = (
    "vendor",
    "model",
    "serial_number",
    "charge_box_serial_number",
    "firmware_version",
    "iccid",
    "imsi",
    "meter_type",
    "meter_serial_number",
)


def register(*, station_id: int, ocpp_version: str, info: BootInfo, now: datetime) -> BootResult:
    """Record a boot and say whether the station is Accepted, Pending or Rejected."""
    with transaction.atomic():
        # Locked so a boot racing an operator's accept/reject applies on top of it.
        station = Station.objects.select_for_update().get(pk=station_id)
        changed = ["last_boot_at"]
        for name in _IDENTITY_FIELDS:
            value = getattr(info, name)
            if getattr(station, name) != value:
                setattr(station, name, value)
                changed.append(name)
        if info.reason and station.last_boot_reason != info.reason:
            station.last_boot_reason = info.reason
            changed.append("last_boot_reason")
        if station.ocpp_version != ocpp_version:
            station.ocpp_version = ocpp_version
            changed.append("ocpp_version")
        station.last_boot_at = now
        station.save(update_fields=changed)
        accepted = station.registration_status == Station.Registration.ACCEPTED
        events.announce(events.StationBooted(station_id=station_id, accepted=accepted, at=now))
    interval = settings.OCPP_HEARTBEAT_INTERVAL if accepted else settings.OCPP_BOOT_RETRY_INTERVAL
    return BootResult(status=station.registration_status, interval=interval, current_time=now)


def registration_status(*, station_id: int) -> str:
    return Station.objects.values_list("registration_status", flat=True).get(pk=station_id)
