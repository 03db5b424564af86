"""DER control (OCPP 2.1 block R): grid-code curves and settings on bidirectional stations.

What a station accepted is kept as DerControl rows (with their ids, superseded and active
flags), removed when it accepts a ClearDERControl. GetDERControl's answer comes later as
ReportDERControl pages with the request id: the DerControlReport opened before sending
collects them, tied to the command that asked.

Settings are OCPP's camelCase JSON (DERCurveType, FreqDroopType, ...): the bus validates
them against the 2.1 schema. Only 2.1 stations are spoken to (see `v21_commands`).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from backoffice.audit import services as audit
from stations.exceptions import CommandError, CommandInvalid
from stations.models import Command, DerControl, DerControlReport, Station
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.commands.remote import Message
from stations.services.commands.v21_commands import require_v21, send_v21, status_of

_INT32_MAX = 2**31 - 1

# The request field holding each control type's setting; every other type is a curve.
_SETTING_FIELDS = {
    "EnterService": "enterService",
    "FreqDroop": "freqDroop",
    "FixedPFAbsorb": "fixedPFAbsorb",
    "FixedPFInject": "fixedPFInject",
    "FixedVar": "fixedVar",
    "Gradients": "gradient",
    "LimitMaxDischarge": "limitMaxDischarge",
}
CURVE_TYPES = frozenset(
    {
        "FreqWatt",
        "HFMustTrip",
        "HFMayTrip",
        "HVMustTrip",
        "HVMomCess",
        "HVMayTrip",
        "LFMustTrip",
        "LVMustTrip",
        "LVMomCess",
        "LVMayTrip",
        "PowerMonitoringMustTrip",
        "VoltVar",
        "VoltWatt",
        "WattPF",
        "WattVar",
    }
)
CONTROL_TYPES = CURVE_TYPES | frozenset(_SETTING_FIELDS)
# Settings that have no schedule: they are always defaults.
_UNSCHEDULED = frozenset({"EnterService", "Gradients"})

UNKNOWN_CONTROL_TYPE = "Unknown DER control type {control_type!r}."
SCHEDULED_NEEDS_WINDOW = (
    "A scheduled DER control needs a startTime and a duration; "
    "without them, set it as a default control."
)
DEFAULT_HAS_NO_WINDOW = (
    "A default DER control has no startTime or duration; to schedule it, set is_default false."
)
NOT_SCHEDULABLE = "{control_type} is only ever a default DER control."


@dataclass(frozen=True, slots=True)
class DerControlResult(Answered):
    """A SetDERControl's answer; `superseded_ids` are the controls the new one superseded
    (or its own id, when an active control of higher priority supersedes it: R04.FR.08)."""

    command: Command
    status: str
    control_id: str
    superseded_ids: list[str]
    reason: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DerReportRequest:
    """A GetDERControl's answer; the controls arrive later in `report` (ReportDERControl)."""

    command: Command
    status: str
    request_id: int
    report: DerControlReport
    reason: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DerClearResult:
    command: Command
    status: str
    cleared: list[str]
    reason: str = ""
    detail: str = ""


# --- services --------------------------------------------------------------------------------


def set_der_control(
    *,
    station_id: int,
    control_type: str,
    setting: dict[str, Any],
    is_default: bool = True,
    control_id: str | None = None,
    caller: Caller = SYSTEM,
) -> DerControlResult:
    """Install a DER control (R04). `setting` is the camelCase object of its type: a
    DERCurveType for curve types, FreqDroopType for FreqDroop, etc.

    Kept as a DerControl row when Accepted (replacing a control of the same id), and the
    controls the station names as superseded are marked so.
    """
    control_id = control_id or str(uuid.uuid4())
    message = build_set_der_control(
        control_id=control_id, control_type=control_type, setting=setting, is_default=is_default
    )
    command = send_v21(station_id, message, caller)
    status = status_of(command)
    superseded = list((command.response or {}).get("supersededIds") or [])
    if status.accepted:
        _keep(station_id, command, control_id, control_type, is_default, setting, superseded)
    return DerControlResult(
        command, status.status, control_id, superseded, status.reason, status.detail
    )


def get_der_control(
    *,
    station_id: int,
    is_default: bool | None = None,
    control_type: str | None = None,
    control_id: str | None = None,
    caller: Caller = SYSTEM,
) -> DerReportRequest:
    """Ask the station to report its DER controls (all, or those matching the filters)."""
    require_v21(station_id, "GetDERControl")
    with transaction.atomic():
        # Committed before sending: the first ReportDERControl may beat the answer.
        report = DerControlReport.objects.create(
            station_id=station_id, request_id=secrets.randbelow(_INT32_MAX) + 1
        )
    message = build_get_der_control(
        request_id=report.request_id,
        is_default=is_default,
        control_type=control_type,
        control_id=control_id,
    )
    try:
        command = send_v21(station_id, message, caller)
    except CommandError as err:
        if err.command is None:
            report.delete()  # nothing was sent
        else:
            _keep_report_command(report, err.command, complete=True)
        raise
    status = status_of(command)
    # Only an Accepted request is followed by reports.
    _keep_report_command(report, command, complete=not status.accepted)
    return DerReportRequest(
        command, status.status, report.request_id, report, status.reason, status.detail
    )


def clear_der_control(
    *,
    station_id: int,
    is_default: bool,
    control_type: str | None = None,
    control_id: str | None = None,
    caller: Caller = SYSTEM,
) -> DerClearResult:
    """Clear default (or scheduled) DER controls: all of them, one type, or one id.

    When Accepted the matching DerControl rows are removed.
    """
    message = build_clear_der_control(
        is_default=is_default, control_type=control_type, control_id=control_id
    )
    command = send_v21(station_id, message, caller)
    status = status_of(command)
    cleared: list[str] = []
    if status.accepted:
        cleared = _forget(station_id, command, is_default, control_type, control_id)
    return DerClearResult(command, status.status, cleared, status.reason, status.detail)


# --- what the station reports ------------------------------------------------------------------


def record_report(
    *, station_id: int, request_id: int, tbc: bool, controls: dict[str, list[dict[str, Any]]]
) -> DerControlReport:
    """Add one ReportDERControl page (`controls` by kind, as the adapter hands them over) to
    the report its request id names, and mirror the superseded flags it gives."""
    entries = [
        {"kind": kind, **entry} for kind, items in sorted(controls.items()) for entry in items
    ]
    with transaction.atomic():
        # Locked: pages of one report may be handled by two processes (a reconnect).
        report = DerControlReport.objects.select_for_update().filter(
            station_id=station_id, request_id=request_id
        ).first() or DerControlReport.objects.create(station_id=station_id, request_id=request_id)
        report.controls = [*report.controls, *entries]
        report.pages += 1
        report.complete = not tbc
        report.save(update_fields=["controls", "pages", "complete", "updated_at"])
        for entry in entries:
            if "is_superseded" in entry and "is_default" in entry:
                DerControl.objects.filter(
                    station_id=station_id, control_id=entry["id"], is_default=entry["is_default"]
                ).update(superseded=entry["is_superseded"])
    return report


def record_start_stop(
    *, station_id: int, control_id: str, started: bool, superseded_ids: list[str]
) -> None:
    """A scheduled control started or ended (NotifyDERStartStop); it may supersede others."""
    with transaction.atomic():
        DerControl.objects.filter(
            station_id=station_id, control_id=control_id, is_default=False
        ).update(active=started)
        if superseded_ids:
            DerControl.objects.filter(station_id=station_id, control_id__in=superseded_ids).update(
                superseded=True, active=False
            )


# --- payloads --------------------------------------------------------------------------------


def build_set_der_control(
    *, control_id: str, control_type: str, setting: dict[str, Any], is_default: bool
) -> Message:
    field = setting_field(control_type)
    scheduled = "startTime" in setting or "duration" in setting
    if control_type in _UNSCHEDULED and not is_default:
        raise CommandInvalid(NOT_SCHEDULABLE.format(control_type=control_type), field="is_default")
    if is_default and scheduled:
        raise CommandInvalid(DEFAULT_HAS_NO_WINDOW, field="setting")
    if not is_default and ("startTime" not in setting or "duration" not in setting):
        raise CommandInvalid(SCHEDULED_NEEDS_WINDOW, field="setting")
    return Message(
        "SetDERControl",
        {
            "isDefault": is_default,
            "controlId": control_id,
            "controlType": control_type,
            field: setting,
        },
    )


def build_get_der_control(
    *,
    request_id: int,
    is_default: bool | None = None,
    control_type: str | None = None,
    control_id: str | None = None,
) -> Message:
    payload: dict[str, Any] = {"requestId": request_id}
    payload.update(_filters(is_default, control_type, control_id))
    return Message("GetDERControl", payload)


def build_clear_der_control(
    *, is_default: bool, control_type: str | None = None, control_id: str | None = None
) -> Message:
    return Message("ClearDERControl", _filters(is_default, control_type, control_id))


def setting_field(control_type: str) -> str:
    """The SetDERControlRequest field that carries a control type's setting."""
    if control_type not in CONTROL_TYPES:
        raise CommandInvalid(
            UNKNOWN_CONTROL_TYPE.format(control_type=control_type), field="control_type"
        )
    return _SETTING_FIELDS.get(control_type, "curve")


# --- helpers ---------------------------------------------------------------------------------


def _filters(
    is_default: bool | None, control_type: str | None, control_id: str | None
) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if is_default is not None:
        payload["isDefault"] = is_default
    if control_type is not None:
        setting_field(control_type)
        payload["controlType"] = control_type
    if control_id is not None:
        payload["controlId"] = control_id
    return payload


def _keep(
    station_id: int,
    command: Command,
    control_id: str,
    control_type: str,
    is_default: bool,
    setting: dict[str, Any],
    superseded: list[str],
) -> None:
    with transaction.atomic():
        # Locked: two operators setting controls on one station must not interleave.
        station = Station.objects.select_for_update().get(pk=station_id)
        DerControl.objects.update_or_create(
            station=station,
            is_default=is_default,
            control_id=control_id,
            defaults={
                "control_type": control_type,
                "setting": setting,
                "superseded": False,
                "active": False,
                "command": command,
            },
        )
        if superseded:
            DerControl.objects.filter(station=station, control_id__in=superseded).update(
                superseded=True, active=False
            )
        audit.record(
            action="stations.der_control.set",
            actor=command.actor,
            actor_label=command.actor_label,
            target=station,
            data={
                "command_id": command.pk,
                "control_id": control_id,
                "control_type": control_type,
                "is_default": is_default,
                "superseded_ids": superseded,
            },
        )


def _forget(
    station_id: int,
    command: Command,
    is_default: bool,
    control_type: str | None,
    control_id: str | None,
) -> list[str]:
    with transaction.atomic():
        station = Station.objects.select_for_update().get(pk=station_id)
        rows = DerControl.objects.filter(station=station, is_default=is_default)
        # A controlId names one control; controlType is not used with it.
        if control_id is not None:
            rows = rows.filter(control_id=control_id)
        elif control_type is not None:
            rows = rows.filter(control_type=control_type)
        cleared = sorted(rows.values_list("control_id", flat=True))
        rows.delete()
        audit.record(
            action="stations.der_control.clear",
            actor=command.actor,
            actor_label=command.actor_label,
            target=station,
            data={"command_id": command.pk, "is_default": is_default, "cleared": cleared},
        )
    return cleared


def _keep_report_command(report: DerControlReport, command: Command, *, complete: bool) -> None:
    # A plain update: the station may be adding pages to the report meanwhile.
    fields: dict[str, Any] = {"command": command}
    if complete:
        fields["complete"] = True
    DerControlReport.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()
