"""2.0.1 notifications a CSMS acknowledges: security, firmware and log jobs, data transfer."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ocpp.routing import on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from backoffice.lib.ocpp_time import parse_ocpp_datetime
from stations.models import StationJob
from stations.ocpp.db import run_db
from stations.services import data_transfer, jobs, reports, security


class NotificationHandlers:
    """Mixed into the 2.x sessions (which provide `station`)."""

    async def store_report(
        self,
        action: str,
        payload: dict[str, Any],
        *,
        evse_id: int | None = None,
        request_id: int | None = None,
    ) -> None:
        await run_db(reports.store)(
            station_id=self.station.pk,
            action=action,
            payload=payload,
            evse_id=evse_id,
            request_id=request_id,
        )

    async def job_status(self, kind: str, status: str, request_id: int | None) -> None:
        await run_db(jobs.report_status)(
            station_id=self.station.pk,
            kind=kind,
            status=status,
            at=timezone.now(),
            request_id=request_id,
        )

    @on(Action.security_event_notification)
    async def on_security_event_notification(
        self,
        type: str,
        timestamp: str,
        **kw: Any,
    ) -> call_result.SecurityEventNotification:
        await run_db(security.record_event)(
            station_id=self.station.pk,
            type=type,
            tech_info=kw.get("tech_info", ""),
            timestamp=parse_ocpp_datetime(timestamp).value,
        )
        return call_result.SecurityEventNotification()

    @on(Action.firmware_status_notification)
    async def on_firmware_status_notification(
        self, status: str, request_id: int | None = None, **kw: Any
    ) -> call_result.FirmwareStatusNotification:
        await self.job_status(StationJob.Kind.FIRMWARE, status, request_id)
        return call_result.FirmwareStatusNotification()

    @on(Action.log_status_notification)
    async def on_log_status_notification(
        self, status: str, request_id: int | None = None, **kw: Any
    ) -> call_result.LogStatusNotification:
        await self.job_status(StationJob.Kind.LOG, status, request_id)
        return call_result.LogStatusNotification()

    @on(Action.data_transfer)
    async def on_data_transfer(
        self, vendor_id: str, message_id: str | None = None, data: Any = None, **kw: Any
    ) -> call_result.DataTransfer:
        result = await run_db(data_transfer.receive)(
            station_id=self.station.pk,
            vendor_id=vendor_id,
            message_id=message_id,
            data=data if data is None or isinstance(data, str) else str(data),
        )
        return call_result.DataTransfer(status=result.status, data=result.data)

    @on(Action.sign_certificate)
    async def on_sign_certificate(self, csr: str, **kw: Any) -> call_result.SignCertificate:
        # No certificate authority is configured yet: the spec's answer is Rejected.
        await self.store_report("SignCertificate", {"csr": csr, **kw})
        return call_result.SignCertificate(status="Rejected")
