"""Mask the credentials stored in clear before secret names were compared case-insensitively.

Until then `authorizationkey`, `securityctrlr/basicauthpassword` and the credentials stations
reported themselves were kept whole in the device model, the commands, the audit trail and the
message log. New data is masked as it is written (`command_secrets`); `manage.py
mask_stored_secrets` runs this once over what is already stored. Idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from backoffice.audit.models import AuditEvent
from stations.models import Command, DeviceEvent, MessageLog, VariableAttribute
from stations.services.commands import command_secrets
from stations.services.commands.command_secrets import MASK

_BATCH = 1000


def mask_stored_secrets() -> dict[str, int]:
    """Mask every stored credential; return how many rows of each kind were changed."""
    with transaction.atomic():
        return {
            "device model values": _device_model(),
            "device events": _device_events(),
            "commands": _commands(),
            "audit events": _audit_events(),
            "message log frames": _message_log(),
        }


def _named_secret(field: str) -> Q:
    names = Q()
    for name in sorted(command_secrets.SECRET_NAMES):
        names |= Q(**{f"{field}__iexact": name})
    return names


def _device_model() -> int:
    secrets = VariableAttribute.objects.filter(_named_secret("variable__name"))
    return secrets.exclude(value__in=("", MASK)).update(value=MASK)


def _device_events() -> int:
    secrets = DeviceEvent.objects.filter(_named_secret("variable__name"))
    return secrets.exclude(actual_value__in=("", MASK)).update(actual_value=MASK)


def _commands() -> int:
    rows = Command.objects.filter(action__in=command_secrets.COMMANDS_WITH_SECRETS)
    return _rewrite(rows, ("payload", "response"), command_secrets.redact)


def _audit_events() -> int:
    rows = AuditEvent.objects.filter(action__startswith="stations.command.")
    return _rewrite(rows, ("data",), command_secrets.redact)


def _message_log() -> int:
    # PostgreSQL and SQLite narrow the scan to frames naming a secret, in any case.
    rows = MessageLog.objects.filter(frame__iregex=command_secrets.MAY_HOLD_SECRET.pattern)
    return _rewrite(rows, ("frame",), command_secrets.redact_frame)


def _rewrite(rows: QuerySet[Any], fields: tuple[str, ...], mask: Callable[[Any], Any]) -> int:
    """Mask `fields` of `rows` in batches; `mask` returns its argument itself when there is
    nothing to mask, so only changed rows are written."""
    changed = []
    for row in rows.only("pk", *fields).iterator(chunk_size=_BATCH):
        masked = {field: mask(getattr(row, field)) for field in fields}
        if any(value is not getattr(row, field) for field, value in masked.items()):
            for field, value in masked.items():
                setattr(row, field, value)
            changed.append(row)
    rows.model.objects.bulk_update(changed, list(fields), batch_size=_BATCH)
    return len(changed)
