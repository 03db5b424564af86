"""Messages about features whose own models come with later issues, kept whole meanwhile."""

from __future__ import annotations

from typing import Any

from stations.models import StationReport


def store(
    *,
    station_id: int,
    action: str,
    payload: dict[str, Any],
    evse_id: int | None = None,
    request_id: int | None = None,
) -> StationReport:
    return StationReport.objects.create(
        station_id=station_id,
        action=action,
        payload=payload,
        evse_id=evse_id,
        request_id=request_id,
    )
