"""Local authorization lists: put id tokens on a station's list and send it (every version).

The back office keeps, per station, the list it wants there and what the station holds since
its last accepted SendLocalList (see `stations.models.local_list`). A Full send replaces the
station's list with the wanted one; a Differential send carries only the changes since the last
accepted send: additions and updates with their info, removals without. A station answers:

- Accepted: the version sent becomes the confirmed version, and what was sent is what it holds.
- VersionMismatch (to a Differential): the station's list is not the one we think; the full
  list is sent once, at once, with a version above both ours and the station's last report.
- Failed, NotSupported (1.6): nothing changes; the status is on the result and on the list.

Only one send per station is out at a time: a second one would race the first one's version;
changes made meanwhile follow in another differential once the first is accepted.
A list longer than the station takes in one message goes in parts (a full one, then
differentials). Putting tokens on or off a list changes what the next send carries and is
audit-recorded; nothing is sent then. The requests: `local_lists.requests`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from backoffice.accounts.models import IdToken
from backoffice.audit import services as audit
from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.exceptions import CommandError, CommandInvalid
from stations.models import (
    Command,
    LocalAuthList,
    LocalListEntry,
    Station,
    Variable,
    VariableAttribute,
)
from stations.services.charging import authorization
from stations.services.commands import adapters, outbound
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.device.device_model import ACTUAL, OCPP16_COMPONENT
from stations.services.local_lists.requests import (
    DIFFERENTIAL,
    FULL,
    TOO_LONG_FOR_LIST,
    UNKNOWN_UPDATE_TYPE,
    UPDATE_TYPES,
    GetLocalListVersion,
    Item,
    SendLocalList,
)

log = structlog.get_logger(__name__)

ACCEPTED = "Accepted"
VERSION_MISMATCH = "VersionMismatch"
# A send whose caller died is given up after this long past the response timeout (a caller's
# own longer timeout counts as stale sooner: the guard only protects the version numbers).
_STALE_SEND = timedelta(seconds=60)
# Where the device model keeps a station's list limits: entries per SendLocalList, and entries
# the station holds. Flat configuration keys (1.6) hold them as values; a component/variable
# device model (2.x) holds the capacity as the maxLimit of LocalAuthListCtrlr.Entries.
_PER_MESSAGE_KEY = (OCPP16_COMPONENT, "SendLocalListMaxLength")
_CAPACITY_KEY = (OCPP16_COMPONENT, "LocalAuthListMaxLength")
_PER_MESSAGE_VARIABLE = ("LocalAuthListCtrlr", "ItemsPerMessage")
_CAPACITY_VARIABLE = ("LocalAuthListCtrlr", "Entries")

# Differential sends that may follow one another for changes made while the one before was
# out (see `send_local_list`).
FOLLOW_UPS = 2

# Sent (station_id, follow_ups) when an accepted send left changes made while it was out: one
# more differential is due, which `follow_ups` more may follow. `token_sync` enqueues it; this
# module sends lists and knows nothing of who schedules them.
follow_up_due = Signal()

SEND_IN_PROGRESS = "A local list is being sent to this station already: wait for its answer."
NO_TOKENS = "Name at least one id token."
UNKNOWN_TOKENS = "These id tokens do not exist: {tokens}."
LIST_TOO_LONG = (
    "The list has {count} id tokens and this station holds at most {capacity}: take some off."
)


@dataclass(frozen=True, slots=True)
class ListVersionResult:
    """The version the station reports: 0 no list, -1 (1.6) lists not supported; None when
    it answered with a CALLERROR."""

    command: Command
    version: int | None


@dataclass(frozen=True, slots=True)
class SendListResult:
    """A send's outcome: its last message's command, status, type and version.

    After a VersionMismatch `retried_full` is set and the mismatched differential's command is
    in `mismatch_command`. A list longer than the station takes in one message goes in
    `messages` messages (a full one, then differentials); `remaining` changes were left unsent
    when one of them was not accepted.
    """

    command: Command
    status: str
    update_type: str
    version: int
    confirmed_version: int
    retried_full: bool = False
    mismatch_command: Command | None = None
    messages: int = 1
    remaining: int = 0

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED


@dataclass(frozen=True, slots=True)
class ListChange:
    """The tokens a change put on (or took off) the list; the others were there (or not)."""

    station_id: int
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]


# --- services --------------------------------------------------------------------------------


def get_local_list_version(*, station_id: int, caller: Caller = SYSTEM) -> ListVersionResult:
    """Ask the station which list version it holds (GetLocalListVersion) and keep the answer."""
    outcome = outbound.send(station_id=station_id, request=GetLocalListVersion(), caller=caller)
    reported = outcome.answer
    if isinstance(reported, int):
        _list_for(station_id)
        LocalAuthList.objects.filter(station_id=station_id).update(
            station_version=reported, station_version_at=timezone.now()
        )
        return ListVersionResult(outcome.command, reported)
    return ListVersionResult(outcome.command, None)


def send_local_list(
    *,
    station_id: int,
    update_type: str = FULL,
    caller: Caller = SYSTEM,
    follow_ups: int = FOLLOW_UPS,
) -> SendListResult:
    """Send the station's list, Full or Differential (Full while nothing was ever accepted).

    Changes made while the send was out (a token sync that found it out left them) get one
    more differential once it is accepted, through Celery; `follow_ups` bounds how many such
    sends may follow one another, so changes that never settle cannot keep a station busy.

    The station's limits, when its device model tells them, are kept: at most
    SendLocalListMaxLength (1.6) / LocalAuthListCtrlr.ItemsPerMessage (2.x) entries a message,
    the rest following in differentials; a list above LocalAuthListMaxLength (1.6) /
    LocalAuthListCtrlr.Entries' maxLimit (2.x) is refused before anything is sent.

    Raises CommandInvalid when the update type is unknown, a send is already out, a token
    cannot be written in the station's version or the list is too long for the station; the
    bus's errors pass through.
    """
    if update_type not in UPDATE_TYPES:
        raise CommandInvalid(UNKNOWN_UPDATE_TYPE, field="update_type")
    version = adapters.station_version(station_id)
    per_message, capacity = _limits(station_id, version)

    def send(kind: str) -> SendListResult:
        return _send_part(station_id, version, kind, per_message, capacity, caller)

    result = send(update_type)
    if result.status == VERSION_MISMATCH and result.update_type == DIFFERENTIAL:
        log.info("local_list.version_mismatch", station_id=station_id, version=result.version)
        result = replace(send(FULL), retried_full=True, mismatch_command=result.command)
    messages = 1
    # Each accepted part leaves fewer changes; stop should one ever leave as many.
    while result.accepted and result.remaining > 0:
        more = send(DIFFERENTIAL)
        messages += 1
        progress = more.remaining < result.remaining
        result = replace(
            more,
            retried_full=result.retried_full,
            mismatch_command=result.mismatch_command,
            messages=messages,
        )
        if not progress:
            break
    if result.accepted:
        _follow_up(station_id, follow_ups)
    return result


def add_tokens(*, station_id: int, id_tokens: list[str], caller: Caller = SYSTEM) -> ListChange:
    """Put id tokens (by value) on the station's list, for the next send. Idempotent."""
    tokens = _tokens(id_tokens)
    _check_lengths(adapters.station_version(station_id), (token.id_token for token in tokens))
    changed: list[str] = []
    with transaction.atomic():
        local_list = _locked_list(station_id)
        entries = {entry.id_tag: entry for entry in local_list.entries.all()}
        for token in tokens:
            entry = entries.get(token.id_token)
            if entry is None:
                LocalListEntry.objects.create(
                    local_list=local_list, id_token=token, id_tag=token.id_token
                )
            elif not entry.wanted or entry.id_token_id != token.pk:
                entry.wanted, entry.id_token = True, token
                entry.save(update_fields=["wanted", "id_token", "updated_at"])
            else:
                continue
            changed.append(token.id_token)
        _audit("stations.local_list.add", station_id, changed, caller)
    return _change(station_id, changed, [token.id_token for token in tokens])


def remove_tokens(*, station_id: int, id_tokens: list[str], caller: Caller = SYSTEM) -> ListChange:
    """Take id tokens (by value, deleted tokens too) off the station's list, for the next send.

    A token the station never received leaves at once; the others with the next send.
    Idempotent.
    """
    values = list(dict.fromkeys(id_tokens))
    if not values:
        raise CommandInvalid(NO_TOKENS, field="id_tokens")
    changed: list[str] = []
    with transaction.atomic():
        local_list = _locked_list(station_id)
        for entry in local_list.entries.filter(id_tag__in=values, wanted=True):
            if entry.sent_info is None:
                entry.delete()
            else:
                entry.wanted = False
                entry.save(update_fields=["wanted", "updated_at"])
            changed.append(entry.id_tag)
        _audit("stations.local_list.remove", station_id, changed, caller)
    return _change(station_id, changed, values)


def pending_changes(*, station_id: int) -> int:
    """How many entries a differential send would carry now; 0 also when the station never
    accepted a list (there is nothing to keep in step with then: a first send is an
    operator's)."""
    # Asked on every accepted boot, so written by hand (backoffice/lib/raw_sql.py says why);
    # a station with no accepted list, the common case, stops here.
    local_list = next(iter(LocalAuthList.objects.raw(_ACCEPTED_LIST_SQL, [station_id])), None)
    return len(_plan(local_list, DIFFERENTIAL)) if local_list is not None else 0


_ACCEPTED_LIST_SQL = "SELECT * FROM stations_localauthlist WHERE station_id = %s AND version > 0"


# --- helpers ---------------------------------------------------------------------------------


def _follow_up(station_id: int, follow_ups: int) -> None:
    if follow_ups <= 0 or not pending_changes(station_id=station_id):
        return
    follow_up_due.send(sender=SendLocalList, station_id=station_id, follow_ups=follow_ups - 1)


def _check_lengths(version: str, values: Iterable[str]) -> None:
    """CommandInvalid for the first id token longer than the version's lists carry."""
    limit = adapters.traits(version).id_token_max
    for value in values:
        if len(value) > limit:
            raise CommandInvalid(
                TOO_LONG_FOR_LIST.format(token=value, version=version, limit=limit),
                field="id_tokens",
            )


def _send_part(
    station_id: int,
    version: str,
    update_type: str,
    per_message: int | None,
    capacity: int | None,
    caller: Caller,
) -> SendListResult:
    """One SendLocalList: the first `per_message` changes (all when None)."""
    with transaction.atomic():
        local_list = _locked_list(station_id)
        if _sending(local_list):
            raise CommandInvalid(SEND_IN_PROGRESS)
        if local_list.version == 0:
            update_type = FULL  # the station's list is unknown: a difference means nothing
        changes = _plan(local_list, update_type)
        if capacity is not None:
            count = local_list.entries.filter(wanted=True, id_token__isnull=False).count()
            if count > capacity:
                raise CommandInvalid(LIST_TOO_LONG.format(count=count, capacity=capacity))
        # Removals first: a station near its capacity makes room before it adds.
        changes.sort(key=lambda item: (item.info is not None, item.id_tag))
        items = changes[:per_message] if per_message else changes
        list_version = max(local_list.version, local_list.station_version or 0) + 1
        # Checked here so a token the version cannot carry stops the send before it is marked
        # out (the adapter refuses it too, with the same message).
        request = SendLocalList(update_type, list_version, tuple(items))
        _check_lengths(version, (item.id_tag for item in items))
        local_list.sending_since = timezone.now()
        local_list.save(update_fields=["sending_since"])
    try:
        command = outbound.send(station_id=station_id, request=request, caller=caller).command
    except Exception as err:
        # Whatever went wrong, the list is free again; a bus error names its command.
        failed = err.command if isinstance(err, CommandError) else None
        _record(local_list.pk, failed, update_type, list_version, items)
        raise
    confirmed = _record(local_list.pk, command, update_type, list_version, items)
    return SendListResult(
        command,
        command.result_status,
        update_type,
        list_version,
        confirmed,
        remaining=len(changes) - len(items),
    )


def _record(
    list_pk: int,
    command: Command | None,
    update_type: str,
    list_version: int,
    items: list[Item],
) -> int:
    """Keep a send's outcome; apply what was sent when accepted. The confirmed version back."""
    with transaction.atomic():
        # Locked: tokens may be put on or off the list while the send was out.
        local_list = LocalAuthList.objects.select_for_update().get(pk=list_pk)
        status = command.result_status if command is not None else ""
        local_list.sending_since = None
        local_list.last_command = command
        local_list.last_status = status
        local_list.last_update_type = update_type
        local_list.last_sent_at = timezone.now()
        if command is not None and command.state == Command.State.ANSWERED and status == ACCEPTED:
            local_list.version = local_list.station_version = list_version
            local_list.station_version_at = local_list.last_sent_at
            _apply(local_list, update_type, items)
        local_list.save()
    return local_list.version


def _apply(local_list: LocalAuthList, update_type: str, items: list[Item]) -> None:
    sent = {item.id_tag: item.info for item in items}
    for entry in local_list.entries.all():
        if entry.id_tag in sent:
            info = sent[entry.id_tag]
        elif update_type == FULL:
            info = None  # a full list replaces everything the station held
        else:
            continue
        if info is None and not (entry.wanted and entry.id_token_id):
            entry.delete()
        elif entry.sent_info != info:
            entry.sent_info = info
            entry.save(update_fields=["sent_info", "updated_at"])


def _plan(local_list: LocalAuthList, update_type: str) -> list[Item]:
    now = timezone.now()
    entries = list(local_list.entries.select_related("id_token"))
    values = {e.id_token.id_token for e in entries if e.wanted and e.id_token is not None}
    # The station's own answer for each token and its group (site rule included), one query.
    rows = authorization.tokens_at(station_id=local_list.station_id, id_tags=values)
    groups = {value: row.token.type for value, row in rows.items()}
    items: list[Item] = []
    for entry in entries:
        token = entry.id_token if entry.wanted else None
        # None too for a token deleted since the entries were read: it leaves like the others.
        own = rows.get(token.id_token) if token is not None else None
        if own is not None:
            info = _entry_info(own, rows.get(own.token.group_id_token), groups, now)
            if update_type == FULL or info != entry.sent_info:
                items.append(Item(entry.id_tag, own.token.type, info))
        elif update_type == DIFFERENTIAL and entry.sent_info is not None:
            items.append(Item(entry.id_tag, entry.sent_info.get("type") or "Central", None))
    return items


def _entry_info(
    own: authorization.TokenRow,
    group: authorization.TokenRow | None,
    groups: dict[str, str],
    now: datetime,
) -> dict[str, Any]:
    """The entry as the station should hold it: offline it answers what authorization would
    there (group, approval, account, its site's rule), until the earlier of token and group
    expiry."""
    token = own.token
    info = token_info(token, groups=groups, now=now)
    info["status"] = authorization.status_at(own, group=group, now=now)
    expires_at = authorization.expiry(token, group=group.token if group is not None else None)
    info["expires_at"] = format_ocpp_datetime(expires_at) if expires_at else None
    return info


def token_info(token: IdToken, *, groups: dict[str, str], now: datetime) -> dict[str, Any]:
    """What a list entry tells about `token` now; `groups` maps group token values to types."""
    expired = token.expires_at is not None and token.expires_at <= now
    status = IdToken.Status.EXPIRED if expired and token.status == ACCEPTED else token.status
    group = token.group_id_token or None
    return {
        "type": token.type,
        "status": str(status),
        "expires_at": format_ocpp_datetime(token.expires_at) if token.expires_at else None,
        "group": group,
        "group_type": groups.get(group, IdToken.Type.CENTRAL.value) if group else None,
    }


def _limits(station_id: int, version: str) -> tuple[int | None, int | None]:
    """(entries per message, entries the station holds) as its device model tells, or None."""
    if not adapters.traits(version).component_variable_keys:
        values = _actual_values(station_id, (_PER_MESSAGE_KEY, _CAPACITY_KEY))
        return values.get(_PER_MESSAGE_KEY), values.get(_CAPACITY_KEY)
    per_message = _actual_values(station_id, (_PER_MESSAGE_VARIABLE,)).get(_PER_MESSAGE_VARIABLE)
    component, variable = _CAPACITY_VARIABLE
    limit = (
        Variable.objects.filter(
            component__station_id=station_id, component__name=component, name=variable
        )
        .values_list("max_limit", flat=True)
        .first()
    )
    return per_message, int(limit) if limit is not None and limit > 0 else None


def _actual_values(
    station_id: int, keys: tuple[tuple[str, str], ...]
) -> dict[tuple[str, str], int]:
    """The positive whole-number Actual values of these (component, variable) keys."""
    rows = VariableAttribute.objects.filter(
        variable__component__station_id=station_id,
        variable__component__name__in={component for component, _ in keys},
        variable__name__in={variable for _, variable in keys},
        type=ACTUAL,
    ).values_list("variable__component__name", "variable__name", "value")
    values: dict[tuple[str, str], int] = {}
    for component, variable, value in rows:
        if (component, variable) in keys and value.strip().isdigit() and int(value) > 0:
            values[(component, variable)] = int(value)
    return values


def _sending(local_list: LocalAuthList) -> bool:
    if local_list.sending_since is None:
        return False
    timeout = timedelta(seconds=settings.OCPP_RESPONSE_TIMEOUT)
    return timezone.now() - local_list.sending_since < timeout + _STALE_SEND


def _list_for(station_id: int) -> LocalAuthList:
    local_list, _ = LocalAuthList.objects.get_or_create(station_id=station_id)
    return local_list


def _locked_list(station_id: int) -> LocalAuthList:
    _list_for(station_id)
    return LocalAuthList.objects.select_for_update().get(station_id=station_id)


def _tokens(values: list[str]) -> list[IdToken]:
    wanted = list(dict.fromkeys(values))
    if not wanted:
        raise CommandInvalid(NO_TOKENS, field="id_tokens")
    found = {token.id_token: token for token in IdToken.objects.filter(id_token__in=wanted)}
    missing = [value for value in wanted if value not in found]
    if missing:
        raise CommandInvalid(UNKNOWN_TOKENS.format(tokens=", ".join(missing)), field="id_tokens")
    return [found[value] for value in wanted]


def _audit(action: str, station_id: int, changed: list[str], caller: Caller) -> None:
    if not changed:
        return
    audit.record(
        action=action,
        actor=caller.user,
        actor_label=caller.label,
        target=Station.objects.get(pk=station_id),
        data={"id_tokens": changed},
    )


def _change(station_id: int, changed: list[str], asked: list[str]) -> ListChange:
    done = set(changed)
    return ListChange(
        station_id, tuple(changed), tuple(value for value in asked if value not in done)
    )
