"""Sites: create and edit them (operator pages, admin-level staff), audited."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from backoffice.accounts.models import IdToken
from backoffice.audit import services as audit
from stations.models import Site
from stations.services.local_lists import token_sync

# The fields people edit; anything else on a site is not theirs to set here.
EDITABLE = ("name", "address", "latitude", "longitude", "grid_limit_kw", "accepts_all_tokens")
# The tokens (cards or group tokens) a private site accepts: audited by value.
ALLOWED_TOKENS = "allowed_id_tokens"


def create(
    *,
    actor: Any,
    name: str,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    grid_limit_kw: Decimal | None = None,
    accepts_all_tokens: bool = True,
    allowed_id_tokens: Iterable[IdToken] = (),
) -> Site:
    """Create a site and record it in the audit trail (one transaction)."""
    with transaction.atomic():
        site = Site.objects.create(
            name=name,
            address=address,
            latitude=latitude,
            longitude=longitude,
            grid_limit_kw=grid_limit_kw,
            accepts_all_tokens=accepts_all_tokens,
        )
        tokens = list(allowed_id_tokens)
        site.allowed_id_tokens.set(tokens)
        data = {field: _plain(getattr(site, field)) for field in EDITABLE}
        audit.record(
            action="stations.site_created",
            actor=actor,
            target=site,
            data={**data, ALLOWED_TOKENS: _values(tokens)},
        )
    return site


def update(*, site_id: int, actor: Any, changes: dict[str, Any]) -> Site:
    """Apply `changes` (a subset of EDITABLE, and ALLOWED_TOKENS: the id tokens) and record
    what changed, old and new (tokens by value).

    Nothing changed: nothing is written, nor audited.
    """
    changes = dict(changes)
    tokens = changes.pop(ALLOWED_TOKENS, None)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    with transaction.atomic():
        # Locked so two people editing at once each audit what they really replaced.
        site = Site.objects.select_for_update().get(pk=site_id)
        diff = {
            field: {"old": _plain(getattr(site, field)), "new": _plain(value)}
            for field, value in changes.items()
            if getattr(site, field) != value
        }
        fields = list(diff)
        was_open = site.accepts_all_tokens
        taken_off: set[str] = set()
        if tokens is not None:
            tokens = list(tokens)
            old, new = _values(site.allowed_id_tokens.all()), _values(tokens)
            if old != new:
                site.allowed_id_tokens.set(tokens)
                diff[ALLOWED_TOKENS] = {"old": old, "new": new}
                taken_off = set(old) - set(new)
        if not diff:
            return site
        for field in fields:
            setattr(site, field, changes[field])
        if fields:
            site.save(update_fields=fields)
        # An open site's tokens count for nothing until it is made private.
        if "accepts_all_tokens" in diff or (ALLOWED_TOKENS in diff and not site.accepts_all_tokens):
            # Access is taken away when the site is private now and was open, or lost tokens:
            # answers its stations cached under the old rule must go, not only their lists.
            narrowed = not site.accepts_all_tokens and (was_open or bool(taken_off))
            transaction.on_commit(
                lambda: token_sync.site_changed(site_id=site_id, narrowed=narrowed), robust=True
            )
        audit.record(action="stations.site_updated", actor=actor, target=site, data=diff)
    return site


def _values(tokens: Iterable[IdToken]) -> list[str]:
    return sorted(token.id_token for token in tokens)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value
