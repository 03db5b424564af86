"""The one place that decides whether an id token may charge (Authorize, start, stop)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from backoffice.accounts import selectors as accounts
from backoffice.accounts.models import IdToken
from stations.models import Transaction

from .types import IdTokenInfo

ACCEPTED = IdToken.Status.ACCEPTED.value
BLOCKED = IdToken.Status.BLOCKED.value
EXPIRED = IdToken.Status.EXPIRED.value
INVALID = IdToken.Status.INVALID.value
CONCURRENT_TX = "ConcurrentTx"


def authorize(
    *, id_tag: str, exclude_transaction_pk: int | None = None, now: datetime | None = None
) -> IdTokenInfo:
    """Status of `id_tag` now: Accepted, Blocked, Expired, Invalid or ConcurrentTx.

    Unknown tokens are Invalid. A token (or its group) that is blocked is Blocked. An accepted
    token that already has an active transaction (other than `exclude_transaction_pk`) is
    ConcurrentTx unless it allows concurrent transactions.
    """
    now = now or timezone.now()
    token = accounts.id_token_by_value(id_tag)
    if token is None:
        return IdTokenInfo(status=INVALID)
    info = _info(token, status=_status(token, now=now))
    if info.status != ACCEPTED:
        return info
    if token.group_id_token and token.group_id_token != token.id_token:
        group = accounts.id_token_by_value(token.group_id_token)
        if group is not None and _status(group, now=now) != ACCEPTED:
            return _info(token, status=BLOCKED)
    if not token.allow_concurrent_transactions:
        active = Transaction.objects.filter(id_tag=id_tag, state=Transaction.State.ACTIVE)
        if exclude_transaction_pk is not None:
            active = active.exclude(pk=exclude_transaction_pk)
        if active.exists():
            return _info(token, status=CONCURRENT_TX)
    return info


def _status(token: IdToken, *, now: datetime) -> str:
    if token.status == ACCEPTED and token.expires_at is not None and token.expires_at <= now:
        return EXPIRED
    return token.status


def _info(token: IdToken, *, status: str) -> IdTokenInfo:
    return IdTokenInfo(
        status=status,
        expires_at=token.expires_at,
        group_id_token=token.group_id_token or None,
        token_pk=token.pk,
    )


def token_pk(id_tag: str) -> int | None:
    token = accounts.id_token_by_value(id_tag)
    return token.pk if token else None
