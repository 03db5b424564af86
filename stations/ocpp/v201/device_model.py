"""2.x device model messages: NotifyReport, NotifyMonitoringReport and NotifyEvent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ocpp.routing import on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from backoffice.lib.ocpp_time import parse_ocpp_datetime
from stations.ocpp.db import run_db
from stations.services.device import device_model, device_reports, monitoring_reports

from . import device_convert

if TYPE_CHECKING:
    from stations.ocpp.session import StationContext


class DeviceModelHandlers:
    """Mixed into the 2.x sessions (which provide `station`)."""

    station: StationContext

    @on(Action.notify_report)
    async def on_notify_report(
        self,
        request_id: int,
        generated_at: str,
        seq_no: int,
        tbc: bool = False,
        report_data: list[dict[str, Any]] | None = None,
        **kw: Any,
    ) -> call_result.NotifyReport:
        await run_db(device_reports.receive_page)(
            station_id=self.station.pk,
            request_id=request_id,
            seq_no=seq_no,
            tbc=tbc,
            generated_at=parse_ocpp_datetime(generated_at).value,
            report_data=device_convert.reported_variables(report_data or []),
        )
        return call_result.NotifyReport()

    @on(Action.notify_monitoring_report)
    async def on_notify_monitoring_report(
        self,
        request_id: int,
        seq_no: int,
        generated_at: str,
        tbc: bool = False,
        monitor: list[dict[str, Any]] | None = None,
        **kw: Any,
    ) -> call_result.NotifyMonitoringReport:
        await run_db(monitoring_reports.receive_report_page)(
            station_id=self.station.pk,
            request_id=request_id,
            seq_no=seq_no,
            tbc=tbc,
            generated_at=parse_ocpp_datetime(generated_at).value,
            monitor=device_convert.monitored_variables(monitor or []),
        )
        return call_result.NotifyMonitoringReport()

    @on(Action.notify_event)
    async def on_notify_event(
        self,
        generated_at: str,
        seq_no: int,
        event_data: list[dict[str, Any]],
        tbc: bool = False,
        **kw: Any,
    ) -> call_result.NotifyEvent:
        await run_db(device_model.store_events)(
            station_id=self.station.pk,
            generated_at=parse_ocpp_datetime(generated_at).value,
            seq_no=seq_no,
            tbc=tbc,
            event_data=device_convert.reported_events(event_data),
        )
        return call_result.NotifyEvent()
