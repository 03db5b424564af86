"""Celery tasks: thin wrappers around services.

Services that enqueue these (`token_sync`) import this module; it never imports them back.
"""

from __future__ import annotations

from celery import shared_task

from stations.services.jobs import retention
from stations.services.local_lists import station_sync
from stations.services.local_lists.local_list import FOLLOW_UPS
from stations.services.security import certificate_revocation


@shared_task
def purge_message_log() -> int:
    return retention.purge_message_log()


@shared_task
def sync_local_list(*, station_id: int, follow_ups: int = FOLLOW_UPS) -> str:
    """Send one station its pending local-list changes (after a token or a site's rule
    changed, a boot, or a send that changes were left to)."""
    return station_sync.sync_local_list(station_id=station_id, follow_ups=follow_ups)


@shared_task
def clear_auth_cache(*, station_id: int) -> str:
    """Clear one station's authorization cache (after a change took access away)."""
    return station_sync.clear_auth_cache(station_id=station_id)


@shared_task
def refresh_ca_export() -> str:
    """Write the CA certificates and fresh CRLs into OCPP_CA_EXPORT_DIR (when set)."""
    files = certificate_revocation.refresh_export()
    return str(files.crl) if files else ""
