"""Id tokens: create, block, unblock, set the expiry, approve or reject a driver's card; each
change audited once.

Blocking, unblocking, approving and rejecting are idempotent: a token already in the wanted
state changes nothing and writes no audit row. Every change stations must learn of (local lists,
authorization caches) is announced by `changed` (a Django signal) once it has committed; the
stations app keeps them in step (`token_sync`), accounts does not know stations.

Rejecting a card that waits for approval sets it Invalid rather than deleting it: the driver
sees that it was refused, the value stays taken (the same card cannot be sent in again and
again), and its sessions and audit trail keep pointing at it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.accounts.exceptions import IdTokenInvalid
from backoffice.accounts.models import IdToken
from backoffice.audit import services as audit

# Sent after commit with `token_pk` and `blocked` (stations holding it must forget it at once).
changed = Signal()

TOKEN_EXISTS = _("An id token with this value exists already.")
EXPIRY_IN_PAST = _("The expiry must be in the future.")
GROUP_IS_SELF = _("A token cannot be its own group.")


def create(
    *,
    actor: Any,
    id_token: str,
    type: str,
    label: str = "",
    status: str = IdToken.Status.ACCEPTED,
    expires_at: datetime | None = None,
    group_id_token: str = "",
    user: Any = None,
    awaiting_approval: bool = False,
    now: datetime | None = None,
) -> IdToken:
    """A new token. Raises IdTokenInvalid (with `field`) for a taken value, an expiry not in
    the future, or a token named as its own group. A token `awaiting_approval` answers Invalid
    at the chargers until `approve`."""
    _check_expiry(expires_at, now=now)
    if group_id_token and group_id_token == id_token:
        raise IdTokenInvalid(str(GROUP_IS_SELF), field="group_id_token")
    # OCPP id tokens are case-insensitive: "04ab" and "04AB" are one card at the chargers.
    if IdToken.objects.filter(id_token__iexact=id_token).exists():
        raise IdTokenInvalid(str(TOKEN_EXISTS), field="id_token")
    try:
        with transaction.atomic():
            token = IdToken.objects.create(
                id_token=id_token,
                type=type,
                label=label,
                status=status,
                expires_at=expires_at,
                group_id_token=group_id_token,
                user=user,
                awaiting_approval=awaiting_approval,
            )
            audit.record(
                action="accounts.id_token.create",
                actor=actor,
                target=token,
                data={
                    "id_token": id_token,
                    "type": type,
                    "status": status,
                    "expires_at": expires_at.isoformat() if expires_at else None,
                    "group_id_token": group_id_token,
                    "user": user.pk if user is not None else None,
                    "awaiting_approval": awaiting_approval,
                },
            )
            if not awaiting_approval:
                # Stations that keep a local list may hold this value (as unknown) already.
                _tell_stations(token, blocked=False)
    except IntegrityError as error:
        # The unique value: another request may have taken it between form and insert.
        raise IdTokenInvalid(str(TOKEN_EXISTS), field="id_token") from error
    return token


def block(*, actor: Any, token_pk: int) -> IdToken:
    """Status Blocked: the next Authorize or start with it is refused."""
    return _set_status(actor=actor, token_pk=token_pk, status=IdToken.Status.BLOCKED)


def unblock(*, actor: Any, token_pk: int) -> IdToken:
    """Status Accepted again (only from Blocked; another status is left as it is)."""
    return _set_status(
        actor=actor,
        token_pk=token_pk,
        status=IdToken.Status.ACCEPTED,
        only_from=IdToken.Status.BLOCKED,
    )


def set_expiry(
    *, actor: Any, token_pk: int, expires_at: datetime | None, now: datetime | None = None
) -> IdToken:
    """Set (a time in the future) or clear (None) the expiry."""
    _check_expiry(expires_at, now=now)
    with transaction.atomic():
        # Locked: two operators changing the same token write one after the other.
        token = IdToken.objects.select_for_update().get(pk=token_pk)
        if token.expires_at == expires_at:
            return token
        previous = token.expires_at
        token.expires_at = expires_at
        token.save(update_fields=["expires_at", "updated_at"])
        # An earlier expiry than stations were told: their caches must drop the old answer.
        shortened = expires_at is not None and (previous is None or expires_at < previous)
        _tell_stations(token, blocked=shortened)
        audit.record(
            action="accounts.id_token.expiry",
            actor=actor,
            target=token,
            data={
                "from": previous.isoformat() if previous else None,
                "to": expires_at.isoformat() if expires_at else None,
            },
        )
    return token


def _set_status(*, actor: Any, token_pk: int, status: str, only_from: str | None = None) -> IdToken:
    with transaction.atomic():
        # Locked: a block and an unblock at once end in one of the two, each audited once.
        token = IdToken.objects.select_for_update().get(pk=token_pk)
        if token.status == status or (only_from is not None and token.status != only_from):
            return token
        previous = token.status
        token.status = status
        token.save(update_fields=["status", "updated_at"])
        action = "block" if status == IdToken.Status.BLOCKED else "unblock"
        audit.record(
            action=f"accounts.id_token.{action}",
            actor=actor,
            target=token,
            data={"from": previous, "to": status},
        )
        _tell_stations(token, blocked=status != IdToken.Status.ACCEPTED)
    return token


def approve(*, actor: Any, token_pk: int) -> IdToken:
    """A driver's card waiting for approval becomes usable (its status is left as it is)."""
    with transaction.atomic():
        # Locked: two operators deciding at once decide once.
        token = IdToken.objects.select_for_update().get(pk=token_pk)
        if not token.awaiting_approval:
            return token
        token.awaiting_approval = False
        token.save(update_fields=["awaiting_approval", "updated_at"])
        audit.record(
            action="accounts.id_token.approve",
            actor=actor,
            target=token,
            data={"id_token": token.id_token, "user": token.user_id},
        )
        _tell_stations(token, blocked=token.status != IdToken.Status.ACCEPTED)
    return token


def reject(*, actor: Any, token_pk: int) -> IdToken:
    """A driver's card waiting for approval is refused: status Invalid, no longer waiting."""
    with transaction.atomic():
        # Locked: two operators deciding at once decide once.
        token = IdToken.objects.select_for_update().get(pk=token_pk)
        if not token.awaiting_approval:
            return token
        previous = token.status
        token.awaiting_approval = False
        token.status = IdToken.Status.INVALID
        token.save(update_fields=["awaiting_approval", "status", "updated_at"])
        audit.record(
            action="accounts.id_token.reject",
            actor=actor,
            target=token,
            data={"id_token": token.id_token, "user": token.user_id, "from": previous},
        )
        _tell_stations(token, blocked=True)
    return token


def _tell_stations(token: IdToken, *, blocked: bool) -> None:
    """After commit, so stations never learn of a change that rolled back."""
    token_pk = token.pk
    transaction.on_commit(
        lambda: changed.send(sender=IdToken, token_pk=token_pk, blocked=blocked), robust=True
    )


def _check_expiry(expires_at: datetime | None, *, now: datetime | None) -> None:
    if expires_at is not None and expires_at <= (now or timezone.now()):
        raise IdTokenInvalid(str(EXPIRY_IN_PAST), field="expires_at")
