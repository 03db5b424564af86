"""Changes that take a station's access away, and the open socket that must not outlive them.

A station's socket is authenticated once, at the upgrade: after its password changes, its
security profile changes, it is deactivated or rejected, the socket it holds would keep working
with what no longer admits it. Each such change closes the socket (whichever process holds it)
once the change commits; the charger reconnects and is judged by the new rules.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import structlog
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from stations.models import Station
from stations.services.charging import connections

log = structlog.get_logger(__name__)

# The consumer's handler of this channel-layer message closes the socket (stations/ocpp).
REVOKED = "ocpp.revoked"
# What takes access away when it changes on a station (with a new password).
ACCESS_FIELDS = frozenset({"is_active", "registration_status", "security_profile"})


def access_changed(*, changed_fields: Iterable[str], password_changed: bool = False) -> bool:
    """Whether a change of these fields (or of the password) must close the station's socket."""
    return password_changed or bool(ACCESS_FIELDS & set(changed_fields))


def close_connections(*, station_ids: Collection[int], reason: str) -> None:
    """Close the open sockets of these stations once the current transaction commits."""
    ids = list(station_ids)
    if ids:
        transaction.on_commit(lambda: _close(ids, reason))


def set_registration(*, station_ids: Collection[int], status: str) -> int:
    """Accept or reject stations; a socket of a station whose status changed is closed (a
    rejected one must not keep charging, an accepted one boots again and is told at once)."""
    with transaction.atomic():
        changed = list(
            Station.objects.filter(pk__in=station_ids)
            .exclude(registration_status=status)
            .values_list("pk", flat=True)
        )
        Station.objects.filter(pk__in=changed).update(registration_status=status)
        close_connections(station_ids=changed, reason=f"registration {status}")
    return len(changed)


def _close(station_ids: list[int], reason: str) -> None:
    layer = get_channel_layer()
    for station_id in station_ids:
        channel = connections.channel_for(station_id=station_id)
        if channel is None:
            continue
        log.warning("station.access_revoked", station_id=station_id, reason=reason)
        try:
            async_to_sync(layer.send)(channel, {"type": REVOKED, "reason": reason})
        except Exception:
            # Redis unavailable (the layer closes sockets of this process itself): the change
            # is committed; a socket held by another process keeps its session until it
            # reconnects. Say so, never fail the operator's change after its commit.
            log.exception("station.access_revoked_not_delivered", station_id=station_id)
