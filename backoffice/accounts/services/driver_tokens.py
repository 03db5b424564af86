"""A driver's own id tokens: add a card, name it, block it and unblock it.

Every function works on the user's own tokens only: another's (or no) token raises
`IdToken.DoesNotExist`, which pages answer 404 (ids are not probed, DESIGN §4). Changes are
audited with the driver as actor, through `id_tokens`, which also tells the stations.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.accounts.exceptions import IdTokenChangeRefused, IdTokenInvalid
from backoffice.accounts.models import IdToken
from backoffice.audit import services as audit
from backoffice.audit.models import AuditEvent

from . import id_tokens

Type = IdToken.Type
# The kinds a driver may add: cards and codes they hold. Central (app) tokens are made by the
# portal, Local and NoAuthorization are the station's own.
DRIVER_TYPES: tuple[str, ...] = (
    Type.ISO14443,
    Type.ISO15693,
    Type.EMAID,
    Type.KEY_CODE,
    Type.MAC_ADDRESS,
)
# OCPP 1.6 idTag is CiString20: longer values cannot be used on 1.6 chargers.
OCPP16_MAX_LENGTH = 20
MAX_LENGTH = 255

# OCPP 2.x identifierString: the characters every version's chargers can send.
_IDENTIFIER = re.compile(r"[A-Za-z0-9*\-_=:+|@.]+")
_HEX = re.compile(r"[0-9A-Fa-f]+")
_MAC = re.compile(r"[0-9A-Fa-f]{2}([:-]?[0-9A-Fa-f]{2}){5,7}")

TYPE_NOT_ALLOWED = _("Choose a card type: RFID, eMAID, key code or MAC address.")
VALUE_EMPTY = _("Enter the number printed on the card or shown by the charger.")
VALUE_TOO_LONG = _("At most 255 characters.")
VALUE_HAS_SPACES = _("Leave out spaces: enter the number as one word.")
VALUE_BAD_CHARACTERS = _(
    "Use only letters, digits and * - _ = : + | @ . (the characters chargers send)."
)
VALUE_NOT_HEX = _("An RFID card's number is hexadecimal: digits 0-9 and letters A-F only.")
VALUE_NOT_MAC = _("A MAC address is six (or eight) pairs of hex digits, e.g. 00:1A:2B:3C:4D:5E.")
ONLY_ACCEPTED_CAN_BE_BLOCKED = _("Only a card in use can be blocked.")
CARD_UNAVAILABLE = _("This card cannot be added. If it is yours, please contact the operator.")
CARD_YOURS_ALREADY = _("You have added this card already.")
TOO_MANY_REFUSED = _("Too many cards could not be added today; please contact the operator.")
CLAIM_REFUSED = "accounts.id_token.claim_refused"
BLOCKED_BY_OPERATOR = _(
    "The operator blocked this card; only the operator can unblock it. Please contact them."
)


def add_card(*, user: Any, id_token: str, type: str, label: str = "") -> IdToken:
    """The driver's new card. It waits for an operator's approval when
    settings.DRIVER_TOKENS_NEED_APPROVAL. Raises IdTokenInvalid (`field` "id_token" or "type")
    for a kind drivers may not add, a malformed or taken value.

    Id tokens are compared without case (OCPP's are case-insensitive). A value someone else
    holds is refused with CARD_UNAVAILABLE whatever the reason (another driver's card, an
    operator's, a group token), audited, and such refusals are limited per driver
    (CARD_CLAIMS_REFUSED_PER_DAY), so the form cannot be used to look up cards.
    """
    value = id_token.strip()
    check_value(value, type=type)
    taken = IdToken.objects.filter(id_token__iexact=value).first()
    if taken is not None and taken.user_id == user.pk:
        raise IdTokenInvalid(str(CARD_YOURS_ALREADY), field="id_token")
    if _claims_refused_today(user) >= settings.CARD_CLAIMS_REFUSED_PER_DAY:
        raise IdTokenInvalid(str(TOO_MANY_REFUSED), field="id_token")
    if taken is not None:
        audit.record(action=CLAIM_REFUSED, actor=user, target=taken, data={"id_token": value})
        raise IdTokenInvalid(str(CARD_UNAVAILABLE), field="id_token")
    return id_tokens.create(
        actor=user,
        id_token=value,
        type=type,
        label=label.strip(),
        user=user,
        awaiting_approval=bool(settings.DRIVER_TOKENS_NEED_APPROVAL),
    )


def _claims_refused_today(user: Any) -> int:
    since = timezone.now() - timedelta(days=1)
    return AuditEvent.objects.filter(
        action=CLAIM_REFUSED, actor=user, created_at__gte=since
    ).count()


def check_value(value: str, *, type: str) -> None:
    """Raise IdTokenInvalid (with `field`) when `value` is no id token of kind `type` that a
    driver may add; forms call it to show the error next to the field."""
    if type not in DRIVER_TYPES:
        raise IdTokenInvalid(str(TYPE_NOT_ALLOWED), field="type")
    if not value:
        raise IdTokenInvalid(str(VALUE_EMPTY), field="id_token")
    if len(value) > MAX_LENGTH:
        raise IdTokenInvalid(str(VALUE_TOO_LONG), field="id_token")
    if any(character.isspace() for character in value):
        raise IdTokenInvalid(str(VALUE_HAS_SPACES), field="id_token")
    if not _IDENTIFIER.fullmatch(value):
        raise IdTokenInvalid(str(VALUE_BAD_CHARACTERS), field="id_token")
    if type in (Type.ISO14443, Type.ISO15693) and not _HEX.fullmatch(value):
        raise IdTokenInvalid(str(VALUE_NOT_HEX), field="id_token")
    if type == Type.MAC_ADDRESS and not _MAC.fullmatch(value):
        raise IdTokenInvalid(str(VALUE_NOT_MAC), field="id_token")


def rename(*, user: Any, token_pk: int, label: str) -> IdToken:
    """Set the driver's name for their token (empty: the value is shown)."""
    label = label.strip()[:100]
    with transaction.atomic():
        # Locked: the label and the audit row agree when two tabs rename at once.
        token = _own(user).select_for_update().get(pk=token_pk)
        if token.label == label:
            return token
        previous = token.label
        token.label = label
        token.save(update_fields=["label", "updated_at"])
        audit.record(
            action="accounts.id_token.rename",
            actor=user,
            target=token,
            data={"from": previous, "to": label},
        )
    return token


def block(*, user: Any, token_pk: int) -> IdToken:
    """Block the driver's token (lost card). Idempotent; only a token in use (Accepted) can be
    blocked: blocking an Invalid or Expired one and unblocking it would make it Accepted."""
    with transaction.atomic():
        token = _own(user).select_for_update().get(pk=token_pk)
        if token.status == IdToken.Status.BLOCKED:
            return token
        if token.status != IdToken.Status.ACCEPTED:
            raise IdTokenChangeRefused(str(ONLY_ACCEPTED_CAN_BE_BLOCKED))
        return id_tokens.block(actor=user, token_pk=token.pk)


def unblock(*, user: Any, token_pk: int) -> IdToken:
    """Unblock the driver's token, only when the driver made the last block themselves
    (IdTokenChangeRefused otherwise: an operator's block stands). Idempotent."""
    with transaction.atomic():
        token = _own(user).select_for_update().get(pk=token_pk)
        if token.status != IdToken.Status.BLOCKED:
            return token
        if last_blocked_by(token) != user.pk:
            raise IdTokenChangeRefused(str(BLOCKED_BY_OPERATOR))
        return id_tokens.unblock(actor=user, token_pk=token.pk)


def last_blocked_by(token: IdToken) -> int | None:
    """The user id of whoever blocked `token` last, from the audit trail; None when no one
    recorded did (made Blocked, or blocked by a task or an API client)."""
    # Uses index: audit_event (target_type, target_id, -created_at).
    event = (
        AuditEvent.objects.filter(
            target_type=IdToken._meta.label,
            target_id=str(token.pk),
            action="accounts.id_token.block",
        )
        .order_by("-created_at", "-pk")
        .only("actor_id")
        .first()
    )
    return event.actor_id if event is not None else None


def _own(user: Any) -> QuerySet[IdToken]:
    if user.pk is None:
        return IdToken.objects.none()
    return IdToken.objects.filter(user_id=user.pk)
