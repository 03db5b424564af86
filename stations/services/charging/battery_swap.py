"""2.1 battery swaps: a battery released for an id token, and the batteries in and out of a
swap station's slots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from stations.models import BatterySwapEvent, Command, Station
from stations.services.charging import authorization, requests
from stations.services.commands import outbound
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.commands.remote import StatusResult
from stations.services.commands.request_ids import new_request_id


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


@dataclass(frozen=True, slots=True)
class BatterySwapRequest(Answered):
    """A RequestBatterySwap's answer; the station's BatterySwap events carry `request_id`."""

    command: Command
    status: str
    request_id: int
    reason: str = ""
    detail: str = ""


def request_battery_swap(
    *,
    station_id: int,
    id_token: str,
    token_type: str = "Central",  # noqa: S107 - an id token type, not a secret
    request_id: int | None = None,
    caller: Caller = SYSTEM,
) -> BatterySwapRequest:
    """Ask a swap station to release a battery for the driver's `id_token` (S02).

    A version without battery swaps is refused by its adapter (CommandInvalid, nothing sent).
    """
    request_id = request_id or new_request_id()
    request = requests.RequestBatterySwap(
        request_id=request_id, id_token=id_token, token_type=token_type
    )
    status = StatusResult.of(outbound.send(station_id=station_id, request=request, caller=caller))
    return BatterySwapRequest(
        status.command, status.status, request_id, status.reason, status.detail
    )
