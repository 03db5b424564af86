"""Device-model reports asked of a 2.x station: GetBaseReport and GetReport.

Each service opens a DeviceReportRequest first (committed, with a fresh request id: the
station's NotifyReport pages may arrive before its answer), sends the request and keeps the
command and the answer on it. The pages land through `receive_page`, which stores them in the
device model (`device_model.store_report`) and counts them on the request they answer; once
every page of a FullInventory arrived, the variables and attributes the station no longer
reports are removed from the store. 1.6 has no device model: its configuration is read with
`remote.get_configuration`.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from stations.exceptions import CommandError, CommandInvalid
from stations.models import (
    Command,
    Component,
    DeviceModelReport,
    DeviceReportRequest,
    Variable,
    VariableAttribute,
)
from stations.services.commands import adapters, outbound
from stations.services.commands.adapters import Request
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.device import device_model
from stations.services.device.requests import GetBaseReport, GetReport
from stations.services.device.types import ComponentVariable, ReportedVariable

log = structlog.get_logger(__name__)

FULL_INVENTORY = "FullInventory"
REPORT_BASES = (FULL_INVENTORY, "ConfigurationInventory", "SummaryInventory")
COMPONENT_CRITERIA = ("Active", "Available", "Enabled", "Problem")
_INT32_MAX = 2**31 - 1

V16_HAS_NO_REPORTS = (
    "OCPP 1.6 has no device-model reports: read the station's configuration with "
    "get_configuration instead."
)
UNKNOWN_REPORT_BASE = (
    "The report base is FullInventory, ConfigurationInventory or SummaryInventory."
)
UNKNOWN_CRITERION = "A component criterion is Active, Available, Enabled or Problem."
TOO_MANY_CRITERIA = "Give each component criterion at most once."
COMPONENT_NEEDS_NAME = "Each component to report on needs a name."


@dataclass(frozen=True, slots=True)
class ReportResult(Answered):
    """The station's answer (Accepted, Rejected, NotSupported, EmptyResultSet; "" after a
    CALLERROR) and the request its NotifyReport pages will answer."""

    command: Command
    status: str
    request_id: int
    report: DeviceReportRequest


# --- services --------------------------------------------------------------------------------


def get_base_report(
    *, station_id: int, report_base: str = FULL_INVENTORY, caller: Caller = SYSTEM
) -> ReportResult:
    """Ask a 2.x station for one of its base reports (GetBaseReport)."""
    _refuse_without_reports(station_id, GetBaseReport)
    return _run(
        station_id,
        report_base=report_base,
        criteria={},
        request=lambda request_id: GetBaseReport(request_id=request_id, report_base=report_base),
        caller=caller,
    )


def get_report(
    *,
    station_id: int,
    component_criteria: list[str] | None = None,
    component_variables: list[ComponentVariable] | None = None,
    caller: Caller = SYSTEM,
) -> ReportResult:
    """Ask a 2.x station for a custom report (GetReport) on the components matching
    `component_criteria` and/or naming `component_variables`; neither: every component."""
    _refuse_without_reports(station_id, GetReport)
    criteria = list(component_criteria or ())
    variables = list(component_variables or ())
    return _run(
        station_id,
        report_base="",
        criteria={
            "component_criteria": criteria,
            "component_variables": [dataclasses.asdict(item) for item in variables],
        },
        request=lambda request_id: GetReport(
            request_id=request_id,
            component_criteria=tuple(criteria),
            component_variables=tuple(variables),
        ),
        caller=caller,
    )


def receive_page(
    *,
    station_id: int,
    request_id: int,
    seq_no: int,
    tbc: bool,
    generated_at: datetime,
    report_data: list[ReportedVariable],
) -> bool:
    """Store one NotifyReport page and count it on the request it answers, if we asked.

    Idempotent per page (a replay returns False and changes nothing). When the report is
    complete (every page up to the one with tbc false) the request is marked complete, once;
    a complete FullInventory prunes what the station no longer reports.
    """
    stored = device_model.store_report(
        station_id=station_id,
        request_id=request_id,
        seq_no=seq_no,
        tbc=tbc,
        generated_at=generated_at,
        report_data=report_data,
    )
    if not stored:
        return False
    with transaction.atomic():
        # Locked: the last two pages may arrive together; the report completes once.
        report = (
            DeviceReportRequest.objects.select_for_update()
            .filter(station_id=station_id, request_id=request_id)
            .first()
        )
        if report is None:
            return True  # a report nobody asked for (the station's own): stored only
        pages = _pages(station_id, request_id)
        report.pages = pages.count()
        if report.completed_at is None and device_model.report_complete(
            station_id=station_id, request_id=request_id
        ):
            report.completed_at = timezone.now()
            if report.report_base == FULL_INVENTORY:
                first_page = pages.aggregate(first=Min("received_at"))["first"]
                report.pruned_variables = prune(station_id=station_id, before=first_page)
        report.save()
    return True


def prune(*, station_id: int, before: datetime) -> int:
    """Remove the 2.x device model not reported since `before`; the variables removed back.

    Every variable a report names carries at least one attribute, and storing a page touches
    each attribute it names: attributes untouched since the report's first page are gone from
    the station, then variables left without attributes, then empty components. The 1.6
    configuration component is not part of a 2.x inventory and is kept.
    """
    model = Component.objects.filter(station_id=station_id).exclude(
        name=device_model.OCPP16_COMPONENT
    )
    VariableAttribute.objects.filter(variable__component__in=model, updated_at__lt=before).delete()
    empty = Variable.objects.filter(component__in=model).annotate(n=Count("attributes"))
    _, counts = Variable.objects.filter(pk__in=empty.filter(n=0).values("pk")).delete()
    removed_variables = counts.get(Variable._meta.label, 0)
    leftover = model.annotate(n=Count("variables")).filter(n=0)
    Component.objects.filter(pk__in=leftover.values("pk")).delete()
    log.info("device_model.pruned", station_id=station_id, variables=removed_variables)
    return removed_variables


# --- helpers ---------------------------------------------------------------------------------


def _refuse_without_reports(station_id: int, request_type: type[Request]) -> None:
    # Said here rather than by the adapter: the station's configuration is read otherwise.
    if not adapters.supports(adapters.station_version(station_id), request_type):
        raise CommandInvalid(V16_HAS_NO_REPORTS)


def _run(
    station_id: int,
    *,
    report_base: str,
    criteria: dict[str, Any],
    request: Callable[[int], Request],
    caller: Caller,
) -> ReportResult:
    # Committed before the command goes out: the first page may come back before the answer.
    with transaction.atomic():
        report = DeviceReportRequest.objects.create(
            station_id=station_id,
            request_id=secrets.randbelow(_INT32_MAX) + 1,
            report_base=report_base,
            criteria=criteria,
        )
    try:
        command = outbound.send(
            station_id=station_id, request=request(report.request_id), caller=caller
        ).command
    except CommandError as err:
        if err.command is None:
            report.delete()  # invalid: nothing was sent, so nothing is awaited
        else:
            _keep(report, err.command)
        raise
    _keep(report, command)
    return ReportResult(command, command.result_status, report.request_id, report)


def _keep(report: DeviceReportRequest, command: Command) -> None:
    # A plain update: pages may be counting on the row already.
    DeviceReportRequest.objects.filter(pk=report.pk).update(
        command=command, status=command.result_status
    )
    report.refresh_from_db()


def _pages(station_id: int, request_id: int) -> Any:
    return DeviceModelReport.objects.filter(
        station_id=station_id, action=device_model.NOTIFY_REPORT, request_id=request_id
    )
