"""BootNotification: keep what the station says about itself, answer by its registration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction

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
    if connection.vendor == "postgresql":
        status = _record_in_one_statement(station_id, ocpp_version, info, now)
    else:
        status = _record_with_the_orm(station_id, ocpp_version, info, now)
    accepted = status == Station.Registration.ACCEPTED
    events.announce(events.StationBooted(station_id=station_id, accepted=accepted, at=now))
    interval = settings.OCPP_HEARTBEAT_INTERVAL if accepted else settings.OCPP_BOOT_RETRY_INTERVAL
    return BootResult(status=status, interval=interval, current_time=now)


def _record_in_one_statement(
    station_id: int, ocpp_version: str, info: BootInfo, now: datetime
) -> str:
    """One UPDATE ... RETURNING (PostgreSQL): what the station says, and its registration.

    Every boot of a restart storm came here; a locked SELECT, then an UPDATE, was four round
    trips with BEGIN and COMMIT. The UPDATE locks the row itself, so a boot racing an
    operator's accept/reject waits for it and answers the status it set. Values the station
    repeats are written unchanged (the same row either way).
    """
    values: dict[str, Any] = {name: getattr(info, name) for name in _IDENTITY_FIELDS}
    values |= {"ocpp_version": ocpp_version, "last_boot_at": now}
    if info.reason:
        values["last_boot_reason"] = info.reason
    assignments = ", ".join(f"{name} = %({name})s" for name in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE stations_station SET {assignments} WHERE id = %(pk)s "  # noqa: S608 - names are ours
            "RETURNING registration_status",
            {**values, "pk": station_id},
        )
        row = cursor.fetchone()
    if row is None:
        raise Station.DoesNotExist(f"no station {station_id}")
    return str(row[0])


def _record_with_the_orm(station_id: int, ocpp_version: str, info: BootInfo, now: datetime) -> str:
    """The same with the ORM (SQLite, the embedded quick start)."""
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
    return station.registration_status


def registration_status(*, station_id: int) -> str:
    return Station.objects.values_list("registration_status", flat=True).get(pk=station_id)
