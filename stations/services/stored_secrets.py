"""Mask the credentials stored in clear before secret names were compared case-insensitively.

Until then `authorizationkey`, `securityctrlr/basicauthpassword` and the credentials stations
reported themselves were kept whole in the device model, the commands, the audit trail and the
message log. New data is masked as it is written (`command_secrets`); `manage.py
mask_stored_secrets` runs this once over what is already stored. Idempotent.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from backoffice.audit.models import AuditEvent
from stations.models import Command, DeviceEvent, MessageLog, VariableAttribute

from . import command_secrets
from .command_secrets import MASK

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
    changed = []
    rows = Command.objects.filter(action__in=command_secrets.COMMANDS_WITH_SECRETS)
    for command in rows.only("pk", "payload", "response").iterator(chunk_size=_BATCH):
        payload = command_secrets.redact(command.payload)
        response = command_secrets.redact(command.response)
        if payload is not command.payload or response is not command.response:
            command.payload, command.response = payload, response
            changed.append(command)
    Command.objects.bulk_update(changed, ["payload", "response"], batch_size=_BATCH)
    return len(changed)


def _audit_events() -> int:
    changed = []
    rows = AuditEvent.objects.filter(action__startswith="stations.command.")
    for event in rows.only("pk", "data").iterator(chunk_size=_BATCH):
        data = command_secrets.redact(event.data)
        if data is not event.data:
            event.data = data
            changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["data"], batch_size=_BATCH)
    return len(changed)


def _message_log() -> int:
    changed = []
    # PostgreSQL and SQLite narrow the scan to frames naming a secret, in any case.
    rows = MessageLog.objects.filter(frame__iregex=command_secrets.MAY_HOLD_SECRET.pattern)
    for entry in rows.only("pk", "frame").iterator(chunk_size=_BATCH):
        frame = command_secrets.redact_frame(entry.frame)
        if frame is not entry.frame:
            entry.frame = frame
            changed.append(entry)
    MessageLog.objects.bulk_update(changed, ["frame"], batch_size=_BATCH)
    return len(changed)
