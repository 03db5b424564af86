"""2.1 battery swaps: batteries in and out of a swap station's slots, for an id token."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from stations.models import BatterySwapEvent, Station
from stations.services.charging import authorization


def record(
    *,
    station_id: int,
    event_type: str,
    request_id: int,
    id_tag: str,
    battery_data: list[dict[str, Any]],
) -> BatterySwapEvent:
    """Record a BatteryIn/BatteryOut/BatteryOutTimeout event against the station and token.

    A replay (the same event resent after a lost answer, under a new message id) returns the
    event already recorded. The token is linked when the back office knows it; an unknown
    token is still recorded by value, since the swap happened.
    """
    with transaction.atomic():
        # Locked: a replay racing the original (a reconnect) must not record the swap twice.
        Station.objects.select_for_update().only("pk").get(pk=station_id)
        existing = BatterySwapEvent.objects.filter(
            station_id=station_id,
            request_id=request_id,
            event_type=event_type,
            id_tag=id_tag,
            battery_data=battery_data,
        ).first()
        if existing is not None:
            return existing
        return BatterySwapEvent.objects.create(
            station_id=station_id,
            event_type=event_type,
            request_id=request_id,
            id_tag=id_tag,
            id_token_id=authorization.token_pk(id_tag),
            battery_data=battery_data,
        )
