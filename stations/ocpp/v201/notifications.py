"""2.x messages a CSMS acknowledges and keeps: security, firmware and log jobs, data transfer,
smart charging and ISO 15118 reports, reservations, display messages, customer information,
certificate signing (by the back office's CA), and the ISO 15118 certificate requests a back
office without a PKI connection cannot serve.

The "not configured" answers are the ones the 2.0.1 and 2.1 specifications give a CSMS that
cannot provide the feature; each handler says which requirement it follows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from ocpp.charge_point import snake_to_camel_case
from ocpp.routing import on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from backoffice.lib.ocpp_time import parse_ocpp_datetime
from stations.models import StationJob
from stations.ocpp.db import run_db
from stations.ocpp.v201.outbound import charging_profiles
from stations.ocpp.v201.outbound.security import signing_type
from stations.services.charging import data_transfer, reports, reservation_reports
from stations.services.device import customer_information, display_messages
from stations.services.jobs import job_status as jobs
from stations.services.security import certificate_authority, security_events
from stations.services.smart_charging import profile_commands

from . import device_convert

if TYPE_CHECKING:
    from stations.ocpp.session import StationContext


def not_enabled(info: str) -> dict[str, Any]:
    """A StatusInfoType saying the feature behind a request is not configured (reason code
    NotEnabled of the Part 2 appendix)."""
    return {"reason_code": "NotEnabled", "additional_info": info}


class NotificationHandlers:
    """Mixed into the 2.x sessions (which provide `station` and `after_answer`)."""

    station: StationContext
    after_answer: Callable[..., None]

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
        await run_db(security_events.record_event)(
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

    @on(Action.publish_firmware_status_notification)
    async def on_publish_firmware_status_notification(
        self, status: str, **kw: Any
    ) -> call_result.PublishFirmwareStatusNotification:
        # A local controller publishing firmware is not a StationJob kind: kept as a report.
        await self.store_report(
            "PublishFirmwareStatusNotification",
            {"status": status, **kw},
            request_id=kw.get("request_id"),
        )
        return call_result.PublishFirmwareStatusNotification()

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

    # Smart charging (functional block K): limits and EV needs are kept as reports.

    @on(Action.notify_charging_limit)
    async def on_notify_charging_limit(
        self, charging_limit: dict[str, Any], **kw: Any
    ) -> call_result.NotifyChargingLimit:
        await self.store_report(
            "NotifyChargingLimit",
            {"charging_limit": charging_limit, **kw},
            evse_id=kw.get("evse_id"),
        )
        return call_result.NotifyChargingLimit()

    @on(Action.cleared_charging_limit)
    async def on_cleared_charging_limit(
        self, charging_limit_source: str, **kw: Any
    ) -> call_result.ClearedChargingLimit:
        await self.store_report(
            "ClearedChargingLimit",
            {"charging_limit_source": charging_limit_source, **kw},
            evse_id=kw.get("evse_id"),
        )
        return call_result.ClearedChargingLimit()

    @on(Action.report_charging_profiles)
    async def on_report_charging_profiles(
        self,
        request_id: int,
        evse_id: int,
        charging_limit_source: str,
        charging_profile: list[dict[str, Any]],
        tbc: bool = False,
        **kw: Any,
    ) -> call_result.ReportChargingProfiles:
        await run_db(profile_commands.report_profiles)(
            station_id=self.station.pk,
            request_id=request_id,
            evse_id=evse_id,
            limit_source=charging_limit_source,
            profiles=[
                charging_profiles.reported_profile(snake_to_camel_case(profile))
                for profile in charging_profile
            ],
            tbc=tbc,
        )
        return call_result.ReportChargingProfiles()

    @on(Action.notify_ev_charging_needs)
    async def on_notify_ev_charging_needs(
        self, evse_id: int, charging_needs: dict[str, Any], **kw: Any
    ) -> call_result.NotifyEVChargingNeeds:
        await self.store_report(
            "NotifyEVChargingNeeds",
            {"evse_id": evse_id, "charging_needs": charging_needs, **kw},
            evse_id=evse_id,
        )
        # No charging schedule can be provided: Rejected (K15.FR.04, K17.FR.04); for an
        # ISO 15118-20 session (2.1 only) NoChargingProfile (K18.FR.04), Rejected there
        # would refuse the requested energy transfer.
        iso15118_20 = (
            "v2x_charging_parameters" in charging_needs or "control_mode" in charging_needs
        )
        return call_result.NotifyEVChargingNeeds(
            status="NoChargingProfile" if iso15118_20 else "Rejected",
            status_info=not_enabled("No smart charging is configured"),
        )

    @on(Action.notify_ev_charging_schedule)
    async def on_notify_ev_charging_schedule(
        self, evse_id: int, time_base: str, charging_schedule: dict[str, Any], **kw: Any
    ) -> call_result.NotifyEVChargingSchedule:
        await self.store_report(
            "NotifyEVChargingSchedule",
            {
                "evse_id": evse_id,
                "time_base": time_base,
                "charging_schedule": charging_schedule,
                **kw,
            },
            evse_id=evse_id,
        )
        # Accepted = processed, no approval implied; Rejected is for a schedule outside the
        # CSMS's own limits (K17.FR.12), and without smart charging there are none.
        return call_result.NotifyEVChargingSchedule(status="Accepted")

    # Reservations (functional block H), display messages, customer information.

    @on(Action.reservation_status_update)
    async def on_reservation_status_update(
        self, reservation_id: int, reservation_update_status: str, **kw: Any
    ) -> call_result.ReservationStatusUpdate:
        await run_db(reservation_reports.status_reported)(
            station_id=self.station.pk,
            reservation_id=reservation_id,
            status=reservation_update_status,
        )
        return call_result.ReservationStatusUpdate()

    @on(Action.notify_display_messages)
    async def on_notify_display_messages(
        self,
        request_id: int,
        tbc: bool = False,
        message_info: list[dict[str, Any]] | None = None,
        **kw: Any,
    ) -> call_result.NotifyDisplayMessages:
        await run_db(display_messages.receive_report)(
            station_id=self.station.pk,
            request_id=request_id,
            tbc=tbc,
            message_info=device_convert.display_messages(message_info or []),
        )
        return call_result.NotifyDisplayMessages()

    @on(Action.notify_customer_information)
    async def on_notify_customer_information(
        self,
        request_id: int,
        seq_no: int,
        generated_at: str,
        data: str,
        tbc: bool = False,
        **kw: Any,
    ) -> call_result.NotifyCustomerInformation:
        await run_db(customer_information.receive_page)(
            station_id=self.station.pk,
            request_id=request_id,
            seq_no=seq_no,
            tbc=tbc,
            generated_at=parse_ocpp_datetime(generated_at).value,
            data=data,
        )
        return call_result.NotifyCustomerInformation()

    # Certificates: the back office's CA signs stations' certificates; the ISO 15118 contract
    # certificate and OCSP requests are answered as a CSMS without a PKI connection must.

    @on(Action.sign_certificate)
    async def on_sign_certificate(self, csr: str, **kw: Any) -> call_result.SignCertificate:
        decision = await run_db(certificate_authority.sign_request)(
            station_id=self.station.pk,
            csr=csr,
            certificate_type=signing_type(kw.get("certificate_type")),
            request_id=kw.get("request_id"),
            root=kw.get("hash_root_certificate"),
        )
        if decision.certificate is None:
            return call_result.SignCertificate(
                status="Rejected",
                # 512 characters is the 2.0.1 limit; a CSR's names may be longer.
                status_info={"reason_code": "InvalidCSR", "additional_info": decision.reason[:512]},
            )
        # CertificateSigned goes out once this answer is sent.
        self.after_answer(certificate_authority.deliver, certificate_id=decision.certificate.pk)
        return call_result.SignCertificate(status="Accepted")

    @on(Action.get_15118_ev_certificate)
    async def on_get_15118_ev_certificate(
        self, iso15118_schema_version: str, action: str, exi_request: str, **kw: Any
    ) -> call_result.Get15118EVCertificate:
        await self.store_report(
            "Get15118EVCertificate",
            {
                "iso15118_schema_version": iso15118_schema_version,
                "action": action,
                "exi_request": exi_request,
                **kw,
            },
        )
        # No contract certificate pool is connected: Failed; exiResponse is required but
        # there is no CertificateInstallationRes to carry, so it is empty.
        return call_result.Get15118EVCertificate(
            status="Failed",
            exi_response="",
            status_info=not_enabled("No contract certificate pool is configured"),
        )

    @on(Action.get_certificate_status)
    async def on_get_certificate_status(
        self, ocsp_request_data: dict[str, Any], **kw: Any
    ) -> call_result.GetCertificateStatus:
        await self.store_report(
            "GetCertificateStatus", {"ocsp_request_data": ocsp_request_data, **kw}
        )
        # The OCSP status was not retrieved (no OCSP access configured): Failed (M06.FR.04).
        return call_result.GetCertificateStatus(
            status="Failed", status_info=not_enabled("No OCSP responder access is configured")
        )
