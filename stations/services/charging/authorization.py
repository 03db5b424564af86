"""The one place that decides whether an id token may charge: Authorize, starts (1.6
StartTransaction, 2.x TransactionEvent) and the token of a stop.

The rules, in order (the first that applies answers):

- 2.x NoAuthorization (no token to check: free charging): Accepted, without a lookup.
- Unknown token: Invalid.
- The token's own status when not Accepted; Expired once its expiry passed.
- Awaiting an operator's approval: Invalid. Its user's account disabled: Blocked.
- Its group token (when the back office knows it) not Accepted or expired: Blocked.
- A station at a private site (`Site.accepts_all_tokens` off) accepts only the tokens listed
  there, or the cards of a listed group token: NotAtThisLocation (1.6 answers Invalid).
- An active transaction with the token elsewhere: ConcurrentTx, unless the token allows more.

Local authorization lists carry `status_at` (every rule but the concurrent-transaction one),
read with `tokens_at`: a station offline answers what it would online, site rule included.

It is on the hot path of start bursts: one short query reads the token, its user's active
flag, whether the site is private and the concurrent-transaction check (a group token and a
private site's list add one each). Nothing is cached between requests, so a change to a token
or a site counts from the next message on.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from backoffice.accounts import selectors as accounts
from backoffice.accounts.models import IdToken
from stations import events
from stations.models import Site, Station, Transaction
from stations.services.types import IdTokenInfo

ACCEPTED = IdToken.Status.ACCEPTED.value
BLOCKED = IdToken.Status.BLOCKED.value
EXPIRED = IdToken.Status.EXPIRED.value
INVALID = IdToken.Status.INVALID.value
CONCURRENT_TX = "ConcurrentTx"
# 2.x only; the 1.6 adapter answers Invalid.
NOT_AT_THIS_LOCATION = "NotAtThisLocation"
NO_AUTHORIZATION = IdToken.Type.NO_AUTHORIZATION.value


@dataclass(frozen=True, slots=True)
class TokenRow:
    """A token (or group token) with what the lookup worked out for it at one station: its
    user's account active, the station's site accepting it, an active session elsewhere."""

    token: IdToken
    user_active: bool
    site_accepts: bool
    busy: bool = False


def authorize(
    *,
    id_tag: str,
    station_id: int | None,
    token_type: str | None = None,
    exclude_transaction_pk: int | None = None,
    now: datetime | None = None,
) -> IdTokenInfo:
    """What the station at `station_id` answers for `id_tag` now (rules: module docstring).

    `token_type` is the 2.x idToken type (None for 1.6). `exclude_transaction_pk` is the
    transaction the token is presented for (it does not count as a concurrent one). Without a
    station (None) the site rule is left out. The answer carries how long the station may
    cache it: the earliest of the token's and its group's expiry and now +
    OCPP_AUTH_CACHE_SECONDS.
    """
    info = _decide(
        id_tag=id_tag,
        station_id=station_id,
        token_type=token_type,
        exclude_transaction_pk=exclude_transaction_pk,
        now=now,
    )
    if station_id is not None:
        events.announce(
            events.AuthorizationDecided(
                station_id=station_id, id_token=id_tag, status=info.status, token_pk=info.token_pk
            )
        )
    return info


def _decide(
    *,
    id_tag: str,
    station_id: int | None,
    token_type: str | None,
    exclude_transaction_pk: int | None,
    now: datetime | None,
) -> IdTokenInfo:
    now = now or timezone.now()
    if token_type == NO_AUTHORIZATION:
        return IdTokenInfo(status=ACCEPTED)
    rows = _lookup(
        [id_tag],
        station_id=station_id,
        sessions=True,
        exclude_transaction_pk=exclude_transaction_pk,
    )
    own = next((row for row in rows if row.token.id_token == id_tag), None)
    if own is None:
        return IdTokenInfo(status=INVALID)
    token = own.token
    group = next((row for row in rows if row.token.id_token != id_tag), None)
    group_token = group.token if group is not None else None
    status = status_at(own, group=group, now=now)
    if status == ACCEPTED and own.busy:
        status = CONCURRENT_TX
    return IdTokenInfo(
        status=status,
        expires_at=cache_expiry(token, group=group_token, now=now),
        group_id_token=token.group_id_token or None,
        group_id_token_type=group_token.type if group_token is not None else None,
        token_pk=token.pk,
        owner_id=token.user_id,
    )


def tokens_at(*, station_id: int | None, id_tags: Collection[str]) -> dict[str, TokenRow]:
    """The tokens of `id_tags` and their group tokens, by value, as the rules read them at the
    station (sessions left out: `busy` is False). At most three queries, whatever the number
    of tokens."""
    if not id_tags:
        return {}
    rows = _lookup(list(id_tags), station_id=station_id, sessions=False)
    return {row.token.id_token: row for row in rows}


def status_at(own: TokenRow, *, group: TokenRow | None, now: datetime) -> str:
    """The token's status at the row's station, sessions left out: its `standing`, then the
    site rule (a private site that lists neither the token nor its group: NotAtThisLocation).
    Authorize adds ConcurrentTx to it; local lists carry it as it is."""
    status = standing(
        own.token,
        group=group.token if group is not None else None,
        user_active=own.user_active,
        now=now,
    )
    if status == ACCEPTED and not (own.site_accepts or (group is not None and group.site_accepts)):
        return NOT_AT_THIS_LOCATION
    return status


def standing(token: IdToken, *, group: IdToken | None, user_active: bool, now: datetime) -> str:
    """The token's status wherever it is presented (no site, no sessions): Accepted, Blocked,
    Expired or Invalid."""
    if token.status != ACCEPTED:
        return str(token.status)
    if _expired(token, now):
        return EXPIRED
    if token.awaiting_approval:
        return INVALID
    if not user_active:
        return BLOCKED
    if group is not None and (group.status != ACCEPTED or _expired(group, now)):
        return BLOCKED
    return ACCEPTED


def expiry(token: IdToken, *, group: IdToken | None) -> datetime | None:
    """The earlier of the token's and its group's expiry (None: neither expires)."""
    dates = [t.expires_at for t in (token, group) if t is not None and t.expires_at is not None]
    return min(dates, default=None)


def cache_expiry(token: IdToken, *, group: IdToken | None, now: datetime) -> datetime | None:
    """Until when a station may keep this answer in its authorization cache."""
    dates = [date] if (date := expiry(token, group=group)) is not None else []
    if settings.OCPP_AUTH_CACHE_SECONDS > 0:
        dates.append(now + timedelta(seconds=settings.OCPP_AUTH_CACHE_SECONDS))
    return min(dates, default=None)


def token_pk(id_tag: str) -> int | None:
    token = accounts.id_token_by_value(id_tag)
    return token.pk if token else None


# --- the lookup ------------------------------------------------------------------------------

# A token with its user's flag, whether the station's site is private and whether the token
# charges elsewhere (hand-written: raw_sql says why).
_LOOKUP_ONE_SQL = """
SELECT t.*, COALESCE(u.is_active, TRUE) AS user_active,
    EXISTS (SELECT 1 FROM stations_station s JOIN stations_site p ON p.id = s.site_id
            WHERE s.id = %(station)s AND NOT p.accepts_all_tokens) AS site_private,
    EXISTS (SELECT 1 FROM stations_transaction x
            WHERE x.id_tag = %(tag)s AND x.state = %(active)s AND x.id <> %(exclude)s) AS charging
FROM accounts_idtoken t LEFT JOIN auth_user u ON u.id = t.user_id
WHERE t.id_token = %(tag)s
"""


def _lookup(
    id_tags: list[str],
    *,
    station_id: int | None,
    sessions: bool,
    exclude_transaction_pk: int | None = None,
) -> list[TokenRow]:
    """The tokens and their group tokens (those that exist); `sessions` (one token) adds the
    concurrent-transaction check.

    Short queries, each planned in a fraction of a millisecond: a card without a group at an
    open site is one query (the token, its user's flag, whether the site is private, whether
    it charges elsewhere); a group token adds one, a private site one. (One query holding all
    of it as correlated subqueries took PostgreSQL 1.7 ms to plan on every Authorize.)
    """
    if sessions:
        own = _own_token(id_tags[0], station_id=station_id, exclude_pk=exclude_transaction_pk)
    else:
        site_private: dict[str, Exists] = {}
        if station_id is not None:
            site_private["site_private"] = Exists(
                Station.objects.filter(pk=station_id, site__accepts_all_tokens=False)
            )
        own = list(
            _with_user_flag(IdToken.objects.filter(id_token__in=id_tags)).annotate(**site_private)
        )
    group_values = {t.group_id_token for t in own if t.group_id_token} - set(id_tags)
    groups = (
        list(_with_user_flag(IdToken.objects.filter(id_token__in=group_values)))
        if group_values
        else []
    )
    private = any(getattr(t, "site_private", False) for t in own)
    listed: set[int] = set()
    if private:
        listed = set(
            Site.allowed_id_tokens.through.objects.filter(
                site__stations=station_id, idtoken_id__in=[t.pk for t in (*own, *groups)]
            ).values_list("idtoken_id", flat=True)
        )
    return [
        TokenRow(
            token=token,
            user_active=bool(getattr(token, "user_active", True)),
            site_accepts=not private or token.pk in listed,
            busy=bool(getattr(token, "charging", False))
            and not token.allow_concurrent_transactions,
        )
        for token in (*own, *groups)
    ]


def _own_token(id_tag: str, *, station_id: int | None, exclude_pk: int | None) -> list[IdToken]:
    """The token with its user's flag, whether the station's site is private and whether it
    charges elsewhere: one SELECT, hand-written (raw_sql's docstring says why)."""
    params = {
        "station": station_id,
        "tag": id_tag,
        "active": Transaction.State.ACTIVE.value,
        "exclude": exclude_pk or 0,  # primary keys start at 1: 0 excludes no transaction
    }
    return list(IdToken.objects.raw(_LOOKUP_ONE_SQL, params))


def _with_user_flag(tokens: QuerySet[IdToken]) -> QuerySet[IdToken]:
    # A token without a user belongs to no account that could be disabled.
    return tokens.annotate(user_active=Coalesce(F("user__is_active"), Value(True))).order_by()


def _expired(token: IdToken, now: datetime) -> bool:
    return token.expires_at is not None and token.expires_at <= now
