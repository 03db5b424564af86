"""Security events: those stations report, and those the back office raises itself."""

from __future__ import annotations

from datetime import datetime

import structlog

from stations import events
from stations.models import SecurityEvent

log = structlog.get_logger(__name__)

CONNECTION_REPLACED = "ConnectionReplaced"
# A station sent a frame over OCPP_MAX_FRAME_BYTES; it was refused unread.
FRAME_TOO_BIG = "FrameTooBig"
# A station sent CALLs without waiting for the answers (more than OCPP_MAX_QUEUED_FRAMES or
# OCPP_MAX_QUEUED_BYTES waited): its socket was not read meanwhile, or closed past twice that.
TOO_MANY_WAITING_FRAMES = "TooManyWaitingFrames"


def record_event(
    *,
    station_id: int,
    type: str,
    timestamp: datetime,
    tech_info: str = "",
    raised_by_backoffice: bool = False,
) -> SecurityEvent:
    log.info("security_event", station_id=station_id, type=type, tech_info=tech_info)
    event = SecurityEvent.objects.create(
        station_id=station_id,
        type=type,
        timestamp=timestamp,
        tech_info=tech_info,
        raised_by_backoffice=raised_by_backoffice,
    )
    events.announce(
        events.SecurityEventRecorded(
            station_id=station_id,
            type=type,
            at=timestamp,
            raised_by_backoffice=raised_by_backoffice,
        )
    )
    return event
