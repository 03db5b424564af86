"""Celery tasks: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from stations.services import retention, token_sync


@shared_task
def purge_message_log() -> int:
    return retention.purge_message_log()


@shared_task
def sync_local_list(*, station_id: int) -> str:
    """Send one station its pending local-list changes (after a token changed, or a boot)."""
    return token_sync.sync_local_list(station_id=station_id)


@shared_task
def clear_auth_cache(*, station_id: int) -> str:
    """Clear one station's authorization cache (after a token was blocked)."""
    return token_sync.clear_auth_cache(station_id=station_id)
