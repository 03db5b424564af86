"""Monitoring reports (OCPP 2.x): GetMonitoringReport and the NotifyMonitoringReport pages
that answer it, tied to the request by its requestId.

The request row is opened before the command goes out (its first page may come before the
answer) and kept whatever the outcome. A complete report that was not filtered is the
station's whole set: the monitors it no longer holds leave the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from stations.exceptions import CommandError
from stations.models import Command, DeviceModelReport, MonitoringReportRequest, VariableMonitor
from stations.services.commands import adapters, outbound, request_ids
from stations.services.commands.bus import SYSTEM, Answered, Caller
from stations.services.device import device_model
from stations.services.device.requests import GetMonitoringReport, component_variable
from stations.services.device.types import MonitoredVariable

MONITORING_CRITERIA = ("ThresholdMonitoring", "DeltaMonitoring", "PeriodicMonitoring")
UNKNOWN_CRITERION = (
    "A monitoring criterion is ThresholdMonitoring, DeltaMonitoring or PeriodicMonitoring."
)


@dataclass(frozen=True, slots=True)
class MonitoringReportResult(Answered):
    command: Command
    status: str
    request: MonitoringReportRequest


# --- services --------------------------------------------------------------------------------


def get_monitoring_report(
    *,
    station_id: int,
    criteria: list[str] | None = None,
    component_variables: list[dict[str, Any]] | None = None,
    caller: Caller = SYSTEM,
) -> MonitoringReportResult:
    """Ask for the station's monitors; they come as NotifyMonitoringReport pages.

    `component_variables` are component references whose `variable` may be left out (the
    whole component). The request row is kept whatever the outcome (with its command);
    EmptyResultSet to an unfiltered request means the station holds no monitor at all.
    """
    asked = GetMonitoringReport(
        request_id=request_ids.new_request_id(),
        criteria=tuple(criteria or ()),
        component_variables=tuple(component_variable(ref) for ref in component_variables or ()),
    )
    # Built first, so a request the station cannot take leaves no row; the row keeps the
    # filters as sent (what the message carries beyond an unfiltered one).
    version = adapters.station_version(station_id)
    sent = adapters.build(version=version, request=asked).payload
    bare = adapters.build(
        version=version, request=GetMonitoringReport(request_id=asked.request_id)
    ).payload
    # Committed before the command goes out: the first page may come before the answer.
    with transaction.atomic():
        request = MonitoringReportRequest.objects.create(
            station_id=station_id,
            request_id=asked.request_id,
            criteria={key: value for key, value in sent.items() if key not in bare},
        )
    try:
        command = outbound.send(station_id=station_id, request=asked, caller=caller).command
    except CommandError as err:
        if err.command is None:
            request.delete()  # invalid for the station's schema: nothing was sent
        else:
            MonitoringReportRequest.objects.filter(pk=request.pk).update(command=err.command)
        raise
    status = command.result_status
    MonitoringReportRequest.objects.filter(pk=request.pk).update(command=command, status=status)
    if status == "EmptyResultSet":
        _complete(request.pk)
    request.refresh_from_db()
    return MonitoringReportResult(command, status, request)


# --- follow-ups ------------------------------------------------------------------------------


def receive_report_page(
    *,
    station_id: int,
    request_id: int,
    seq_no: int,
    tbc: bool,
    generated_at: datetime,
    monitor: list[MonitoredVariable],
) -> bool:
    """Store one NotifyMonitoringReport page (see `device_model.store_monitoring_report`)
    and count it on the GetMonitoringReport that asked for it.

    The page completing an unfiltered report removes the monitors the station did not
    report from the store. Idempotent; False for a replayed page.
    """
    new = device_model.store_monitoring_report(
        station_id=station_id,
        request_id=request_id,
        seq_no=seq_no,
        tbc=tbc,
        generated_at=generated_at,
        monitor=monitor,
    )
    request = MonitoringReportRequest.objects.filter(
        station_id=station_id, request_id=request_id
    ).first()
    if request is None:
        return new  # a report nothing of ours asked for: the pages are kept all the same
    pages = DeviceModelReport.objects.filter(
        station_id=station_id,
        action=device_model.NOTIFY_MONITORING_REPORT,
        request_id=request_id,
    ).count()
    MonitoringReportRequest.objects.filter(pk=request.pk).update(pages=pages)
    if device_model.report_complete(
        station_id=station_id,
        request_id=request_id,
        action=device_model.NOTIFY_MONITORING_REPORT,
    ):
        _complete(request.pk)
    return new


def report_pages(*, request: MonitoringReportRequest) -> list[DeviceModelReport]:
    """The NotifyMonitoringReport pages that answered `request`, in seqNo order."""
    return list(
        DeviceModelReport.objects.filter(
            station_id=request.station_id,
            action=device_model.NOTIFY_MONITORING_REPORT,
            request_id=request.request_id,
        ).order_by("seq_no")
    )


# --- helpers ---------------------------------------------------------------------------------


def _complete(request_pk: int) -> None:
    """Mark the report complete (once); an unfiltered one prunes the monitor store."""
    with transaction.atomic():
        # Locked: the last page and the EmptyResultSet answer may race; one completes.
        request = MonitoringReportRequest.objects.select_for_update().get(pk=request_pk)
        if request.completed_at is not None:
            return
        request.completed_at = timezone.now()
        if not request.criteria:
            # Every monitor the report carried was written after the request was opened
            # (and so was one set meanwhile); the rest the station no longer holds.
            request.pruned_monitors, _ = VariableMonitor.objects.filter(
                variable__component__station_id=request.station_id,
                updated_at__lt=request.created_at,
            ).delete()
        request.save(update_fields=["completed_at", "pruned_monitors"])
