"""Keep stations in step when an id token changes (status, expiry, group, approval, deletion).

- Local lists: every station whose list holds the token, or a card of the token when it is a
  group token, gets a differential SendLocalList with what changed, through Celery, one task
  per station. Only connected stations are sent to; the others keep their pending changes,
  which go with the next send: a token change, an operator's send, or the station's next
  accepted boot (`station_booted`).
- Authorization caches: when a token is blocked, every connected station that may cache it
  forgets its cache (ClearCache): 2.x stations, and 1.6 stations unless their
  AuthorizationCacheEnabled is "false". So do a site's stations when its token rule changes.

Sends are SYSTEM commands (audited and on the station's command list like any other). A
station that drops off or does not answer is logged, never an error for the token change.
"""

from __future__ import annotations

import structlog
from celery import Task
from django.db import transaction
from django.db.models import Q

from backoffice.accounts.models import IdToken
from stations.exceptions import CommandError
from stations.models import LocalListEntry, VariableAttribute

from . import connections, local_list, remote
from .commands import SYSTEM
from .device_model import ACTUAL, OCPP16_COMPONENT
from .remote import V16

log = structlog.get_logger(__name__)

_CACHE_ENABLED_16 = "AuthorizationCacheEnabled"

# What a task did for its station (returned, and logged).
SENT, NOTHING, OFFLINE, FAILED = "sent", "nothing", "offline", "failed"


def token_changed(*, token_pk: int, blocked: bool = False) -> None:
    """A token's status, expiry, group or approval changed, or it was deleted: bring the
    stations that hold it in step; `blocked` also clears the connected stations' caches.

    Call it after the change is committed; the sends leave once the caller's transaction (if
    any) commits.
    """
    from stations import tasks  # the tasks call back into this module

    online = set(connections.live().values_list("station_id", flat=True))
    holding = _stations_holding(token_pk)
    for station_id in sorted(holding & online):
        _enqueue(tasks.sync_local_list, station_id)
    if holding - online:
        log.info(
            "token_sync.offline_left_pending", token_pk=token_pk, stations=sorted(holding - online)
        )
    if blocked:
        for station_id in sorted(_caching(online)):
            _enqueue(tasks.clear_auth_cache, station_id)


def site_changed(*, site_id: int) -> None:
    """A site's token rule changed: its connected stations forget answers cached under the
    old rule (a card accepted there before may no longer be)."""
    from stations import tasks

    online = set(
        connections.live().filter(station__site_id=site_id).values_list("station_id", flat=True)
    )
    for station_id in sorted(_caching(online)):
        _enqueue(tasks.clear_auth_cache, station_id)


def station_booted(*, station_id: int) -> None:
    """An accepted boot: send what changed while the station was away, if anything."""
    from stations import tasks

    if local_list.pending_changes(station_id=station_id):
        _enqueue(tasks.sync_local_list, station_id)


def sync_local_list(*, station_id: int) -> str:
    """Send the station's pending local-list changes as a differential (the task's work)."""
    if not connections.is_online(station_id=station_id):
        return OFFLINE
    if not local_list.pending_changes(station_id=station_id):
        return NOTHING
    try:
        result = local_list.send_local_list(
            station_id=station_id, update_type=local_list.DIFFERENTIAL, caller=SYSTEM
        )
    except CommandError as err:
        # Offline meanwhile, no answer, or a send already out: the next send carries it.
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


# --- helpers ---------------------------------------------------------------------------------


def _stations_holding(token_pk: int) -> set[int]:
    """Stations whose accepted list holds the token or one of its group's cards."""
    entries = LocalListEntry.objects.filter(local_list__version__gt=0)
    value = IdToken.objects.filter(pk=token_pk).values_list("id_token", flat=True).first()
    if value is None:
        # Deleted: its entries lost their token and leave the station with the next send.
        entries = entries.filter(id_token__isnull=True, sent_info__isnull=False)
    else:
        entries = entries.filter(Q(id_token_id=token_pk) | Q(id_token__group_id_token=value))
    return set(entries.values_list("local_list__station_id", flat=True))


def _caching(station_ids: set[int]) -> set[int]:
    """The stations of `station_ids` that may hold the token in an authorization cache."""
    cache_off_16 = VariableAttribute.objects.filter(
        variable__component__station_id__in=station_ids,
        variable__component__station__ocpp_version=V16,
        variable__component__name=OCPP16_COMPONENT,
        variable__name=_CACHE_ENABLED_16,
        type=ACTUAL,
        value__iexact="false",
    ).values_list("variable__component__station_id", flat=True)
    return station_ids - set(cache_off_16)


def _enqueue(task: Task, station_id: int) -> None:
    transaction.on_commit(lambda: task.delay(station_id=station_id))
