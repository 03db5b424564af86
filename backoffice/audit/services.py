"""Write the audit trail. Every state-changing service calls `record` once, in its own
transaction, so the trail and the change commit or roll back together."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent


def record(
    *,
    action: str,
    actor: Any = None,
    actor_label: str = "",
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that `actor` (a user, or `actor_label` for an API client or task) did `action`."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label[:100],
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        data=data or {},
    )
