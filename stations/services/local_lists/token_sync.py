"""Keep stations in step when an id token or a site's token rule changes (status, expiry,
group, approval, deletion; a site made private or open, its tokens).

- Local lists: every station whose list holds the token, or a card of the token when it is a
  group token, gets a differential SendLocalList with what changed, through Celery, one task
  per station; so does every station of a site whose rule changed (its entries' status follows
  the rule: NotAtThisLocation, Invalid in 1.6). Only connected stations are sent to; the
  others keep their pending changes, which go with the next send: a token change, an
  operator's send, or the station's next accepted boot (`station_booted`). A change made while
  a send is out is left to it: once accepted it sends one more differential
  (`local_list.send_local_list`, `changes_left`).
- Authorization caches: when a change takes access away (a token blocked or deleted, a site's
  rule narrowed), every connected station that may cache the old answer forgets its cache
  (ClearCache): 2.x stations, and 1.6 stations unless their AuthorizationCacheEnabled is
  "false".

A token is deleted with its row (the admin, its bulk action, a cascade; no service to go
through), so a `pre_delete` receiver reads the stations it concerns while its value still finds
its group's cards. It, and the receiver of `local_list.follow_up_due`, are connected when this
module is imported (`StationsConfig.ready`, the OCPP adapters and the token services import it).

What each task does for its station is `station_sync`'s: this module only decides who is sent
what, and enqueues.
"""

from __future__ import annotations

from typing import Any

import structlog
from celery import Task
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import pre_delete

from backoffice.accounts.models import IdToken
from backoffice.accounts.services import id_tokens
from backoffice.lib.task_outbox import enqueue
from stations import tasks
from stations.models import LocalAuthList, LocalListEntry, Station, VariableAttribute
from stations.services.charging import connections
from stations.services.commands import adapters
from stations.services.device.device_model import ACTUAL, OCPP16_COMPONENT
from stations.services.local_lists import local_list

log = structlog.get_logger(__name__)

# The flat configuration key (1.6) that may switch a station's authorization cache off.
_CACHE_ENABLED_KEY = "AuthorizationCacheEnabled"


def token_changed(*, token_pk: int, blocked: bool = False) -> None:
    """A token's status, expiry, group or approval changed, or it was deleted: bring the
    stations that hold it in step; `blocked` also clears the connected stations' caches.

    Call it after the change is committed; the sends leave once the caller's transaction (if
    any) commits.
    """
    _bring_in_step(_stations_holding(token_pk), clear_caches=blocked, reason=f"token {token_pk}")


def site_changed(*, site_id: int, narrowed: bool) -> None:
    """A site's token rule changed: its stations' lists are brought in step (the entries whose
    status the rule changed); `narrowed` (access taken away: made private, tokens taken off)
    also clears the connected stations' caches, which may hold answers of the old rule.

    Call it after the change is committed.
    """
    site_stations = set(Station.objects.filter(site_id=site_id).values_list("pk", flat=True))
    # Only a list the station accepted has anything to keep in step.
    with_lists = LocalAuthList.objects.filter(station_id__in=site_stations, version__gt=0)
    _bring_in_step(
        set(with_lists.values_list("station_id", flat=True)),
        clear_caches=narrowed,
        cache_scope=site_stations,
        reason=f"site {site_id}",
    )


def changes_left(*, station_id: int, follow_ups: int) -> None:
    """A send was accepted and changes made while it was out remain: one more differential
    (which may be followed by `follow_ups` more)."""
    log.info("token_sync.follow_up", station_id=station_id, follow_ups=follow_ups)
    _enqueue(tasks.sync_local_list, station_id, follow_ups=follow_ups)


def station_booted(*, station_id: int) -> None:
    """An accepted boot: send what changed while the station was away, if anything."""
    if local_list.pending_changes(station_id=station_id):
        _enqueue(tasks.sync_local_list, station_id)


# --- helpers ---------------------------------------------------------------------------------


def _bring_in_step(
    stations: set[int],
    *,
    clear_caches: bool,
    reason: str,
    cache_scope: set[int] | None = None,
) -> None:
    """Differential sends to the connected `stations`; with `clear_caches`, ClearCache to the
    connected caching stations (of `cache_scope`, all when None)."""
    online = set(connections.live().values_list("station_id", flat=True))
    for station_id in sorted(stations & online):
        _enqueue(tasks.sync_local_list, station_id)
    if stations - online:
        log.info(
            "token_sync.offline_left_pending", reason=reason, stations=sorted(stations - online)
        )
    if clear_caches:
        scope = online if cache_scope is None else online & cache_scope
        for station_id in sorted(_caching(scope)):
            _enqueue(tasks.clear_auth_cache, station_id)


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


def _token_deleting(sender: type[IdToken], instance: IdToken, **kwargs: Any) -> None:
    """Read, while the row is there, the stations its deletion concerns: those holding it or
    its group's cards (whose group, expiry and site listing go with it). They are brought in
    step once the deletion commits, caches cleared as for a block."""
    token_pk = instance.pk
    stations = _stations_holding(token_pk)
    transaction.on_commit(
        lambda: _bring_in_step(stations, clear_caches=True, reason=f"deleted token {token_pk}"),
        robust=True,
    )


pre_delete.connect(_token_deleting, sender=IdToken, dispatch_uid="token_sync.token_deleting")


def _id_token_changed(sender: object, *, token_pk: int, blocked: bool, **kwargs: Any) -> None:
    token_changed(token_pk=token_pk, blocked=blocked)


id_tokens.changed.connect(_id_token_changed, dispatch_uid="token_sync.id_token_changed")


def _follow_up_due(sender: object, *, station_id: int, follow_ups: int, **kwargs: Any) -> None:
    changes_left(station_id=station_id, follow_ups=follow_ups)


local_list.follow_up_due.connect(_follow_up_due, dispatch_uid="token_sync.follow_up_due")


def _caching(station_ids: set[int]) -> set[int]:
    """The stations of `station_ids` that may hold the token in an authorization cache: all
    but those of a version with flat configuration keys whose key switched the cache off."""
    flat_keys = [
        version
        for version in adapters.VERSIONS
        if not adapters.traits(version).component_variable_keys
    ]
    cache_off = VariableAttribute.objects.filter(
        variable__component__station_id__in=station_ids,
        variable__component__station__ocpp_version__in=flat_keys,
        variable__component__name=OCPP16_COMPONENT,
        variable__name=_CACHE_ENABLED_KEY,
        type=ACTUAL,
        value__iexact="false",
    ).values_list("variable__component__station_id", flat=True)
    return station_ids - set(cache_off)


def _enqueue(task: Task, station_id: int, **kwargs: Any) -> None:
    transaction.on_commit(lambda: enqueue(task, station_id=station_id, **kwargs))
