"""Sites: create and edit them (operator pages, admin-level staff), audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from backoffice.audit import services as audit
from stations.models import Site

# The fields people edit; anything else on a site is not theirs to set here.
EDITABLE = ("name", "address", "latitude", "longitude", "grid_limit_kw")


def create(
    *,
    actor: Any,
    name: str,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    grid_limit_kw: Decimal | None = None,
) -> Site:
    """Create a site and record it in the audit trail (one transaction)."""
    with transaction.atomic():
        site = Site.objects.create(
            name=name,
            address=address,
            latitude=latitude,
            longitude=longitude,
            grid_limit_kw=grid_limit_kw,
        )
        audit.record(
            action="stations.site_created",
            actor=actor,
            target=site,
            data={field: _plain(getattr(site, field)) for field in EDITABLE},
        )
    return site


def update(*, site_id: int, actor: Any, changes: dict[str, Any]) -> Site:
    """Apply `changes` (a subset of EDITABLE) and record what changed, old and new.

    Nothing changed: nothing is written, nor audited.
    """
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
        if not diff:
            return site
        for field in diff:
            setattr(site, field, changes[field])
        site.save(update_fields=list(diff))
        audit.record(action="stations.site_updated", actor=actor, target=site, data=diff)
    return site


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value
