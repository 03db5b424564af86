"""What one Celery task does for one station when `token_sync` brought it in step: send its
pending local-list changes, or clear its authorization cache.

Sends are SYSTEM commands (audited and on the station's command list like any other). A
station that drops off or does not answer is logged, never an error for the token change.
"""

from __future__ import annotations

import structlog

from stations.exceptions import CommandError
from stations.services.charging import connections
from stations.services.commands import remote
from stations.services.commands.bus import SYSTEM
from stations.services.local_lists import local_list

log = structlog.get_logger(__name__)

# What a task did for its station (returned, and logged).
SENT, NOTHING, OFFLINE, FAILED = "sent", "nothing", "offline", "failed"
# A send was out: its follow-up carries the change.
LEFT_TO_SEND_OUT = "left to the send out"


def sync_local_list(*, station_id: int, follow_ups: int = local_list.FOLLOW_UPS) -> str:
    """Send the station's pending local-list changes as a differential (the task's work);
    `follow_ups` as in `local_list.send_local_list`."""
    if not connections.is_online(station_id=station_id):
        return OFFLINE
    if not local_list.pending_changes(station_id=station_id):
        return NOTHING
    try:
        result = local_list.send_local_list(
            station_id=station_id,
            update_type=local_list.DIFFERENTIAL,
            caller=SYSTEM,
            follow_ups=follow_ups,
        )
    except CommandError as err:
        if err.message == local_list.SEND_IN_PROGRESS:
            # That send, once accepted, sends one more differential with this change.
            log.info("token_sync.left_to_send_out", station_id=station_id)
            return LEFT_TO_SEND_OUT
        # Offline meanwhile or no answer: the next send carries it.
        log.warning("token_sync.local_list_not_sent", station_id=station_id, error=str(err))
        return FAILED
    log.info(
        "token_sync.local_list_sent",
        station_id=station_id,
        status=result.status,
        version=result.version,
    )
    return SENT if result.accepted else FAILED


def clear_auth_cache(*, station_id: int) -> str:
    """ClearCache on the station (the task's work)."""
    if not connections.is_online(station_id=station_id):
        return OFFLINE
    try:
        result = remote.clear_cache(station_id=station_id, caller=SYSTEM)
    except CommandError as err:
        log.warning("token_sync.cache_not_cleared", station_id=station_id, error=str(err))
        return FAILED
    log.info("token_sync.cache_cleared", station_id=station_id, status=result.status)
    return SENT if result.accepted else FAILED
