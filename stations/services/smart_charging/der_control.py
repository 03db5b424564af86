"""DER control (OCPP 2.1 block R): grid-code curves and settings on bidirectional stations.

What a station accepted is kept as DerControl rows (with their ids, superseded and active
flags), removed when it accepts a ClearDERControl. GetDERControl's answer comes later as
ReportDERControl pages with the request id: the DerControlReport opened before sending
collects them, tied to the command that asked.

Settings are passed through as OCPP 2.1 writes them (DERCurveType, FreqDroopType, ...) and
checked against its schema. A station whose version has no DER control refuses the requests
before anything is sent (in the adapters' words).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from backoffice.audit import services as audit
from stations.exceptions import CommandError
from stations.models import Command, DerControl, DerControlReport, Station
from stations.services.commands import outbound
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.smart_charging.requests import (
    ClearDerControl,
    DerAnswer,
    GetDerControl,
    SetDerControl,
)

_INT32_MAX = 2**31 - 1
ACCEPTED = "Accepted"
# What is known of an answer that was a CALLERROR.
_NO_ANSWER = DerAnswer()

# Types whose setting is not a curve; each has its own field in SetDERControl.
SETTING_TYPES = frozenset(
    {
        "EnterService",
        "FreqDroop",
        "FixedPFAbsorb",
        "FixedPFInject",
        "FixedVar",
        "Gradients",
        "LimitMaxDischarge",
    }
)
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
CONTROL_TYPES = CURVE_TYPES | SETTING_TYPES
# Settings that have no schedule: they are always defaults.
UNSCHEDULED_TYPES = frozenset({"EnterService", "Gradients"})


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
    """Install a DER control (R04). `setting` is the object of its type as OCPP 2.1 writes it:
    a DERCurveType for curve types, FreqDroopType for FreqDroop, etc.

    Kept as a DerControl row when Accepted (replacing a control of the same id), and the
    controls the station names as superseded are marked so.
    """
    control_id = control_id or str(uuid.uuid4())
    request = SetDerControl(
        control_id=control_id, control_type=control_type, setting=setting, is_default=is_default
    )
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    command = outcome.command
    answer: DerAnswer = outcome.answer or _NO_ANSWER
    superseded = list(answer.superseded_ids)
    if outcome.status == ACCEPTED:
        _keep(station_id, command, control_id, control_type, is_default, setting, superseded)
    return DerControlResult(
        command, outcome.status, control_id, superseded, answer.reason, answer.detail
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
    with transaction.atomic():
        # Committed before sending: the first ReportDERControl may beat the answer.
        report = DerControlReport.objects.create(
            station_id=station_id, request_id=secrets.randbelow(_INT32_MAX) + 1
        )
    request = GetDerControl(
        request_id=report.request_id,
        is_default=is_default,
        control_type=control_type,
        control_id=control_id,
    )
    try:
        outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    except CommandError as err:
        if err.command is None:
            report.delete()  # nothing was sent (refused, or invalid)
        else:
            _keep_report_command(report, err.command, complete=True)
        raise
    answer: DerAnswer = outcome.answer or _NO_ANSWER
    # Only an Accepted request is followed by reports.
    _keep_report_command(report, outcome.command, complete=outcome.status != ACCEPTED)
    return DerReportRequest(
        outcome.command, outcome.status, report.request_id, report, answer.reason, answer.detail
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
    request = ClearDerControl(
        is_default=is_default, control_type=control_type, control_id=control_id
    )
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    answer: DerAnswer = outcome.answer or _NO_ANSWER
    cleared: list[str] = []
    if outcome.status == ACCEPTED:
        cleared = _forget(station_id, outcome.command, is_default, control_type, control_id)
    return DerClearResult(outcome.command, outcome.status, cleared, answer.reason, answer.detail)


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


# --- helpers ---------------------------------------------------------------------------------


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
