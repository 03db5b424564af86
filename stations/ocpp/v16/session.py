"""OCPP 1.6J adapter: each charger-initiated message becomes one version-neutral service call.

1.6 connector N is EVSE N / connector 1; connector 0 is the station itself.
Includes the messages of the 1.6 Security Whitepaper (SecurityEventNotification,
SignCertificate, LogStatusNotification, SignedFirmwareStatusNotification).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ocpp.routing import on
from ocpp.v16 import call_result, datatypes
from ocpp.v16.enums import Action

from backoffice.lib.ocpp_time import format_ocpp_datetime, parse_ocpp_datetime
from stations.models import StationJob, Transaction
from stations.ocpp.db import run_db
from stations.ocpp.errors import V16_ERRORS
from stations.ocpp.meter_writer import writer as meter_writer
from stations.ocpp.session import OcppSession
from stations.services.charging import authorization, data_transfer, metering, transactions
from stations.services.charging import status as status_service
from stations.services.jobs import job_status
from stations.services.security import certificate_authority, security_events
from stations.services.types import (
    BootInfo,
    EvseRef,
    IdTokenInfo,
    MeterReading,
    SampledValue,
    StatusReport,
)

_PARENT_ID_TAG_MAX = 20
# 1.6 AuthorizationStatus; the 2.x-only ones (NotAtThisLocation...) are Invalid here.
_V16_STATUSES = frozenset({"Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"})


def evse_for_connector(connector_id: int) -> EvseRef | None:
    return None if connector_id == 0 else EvseRef(evse_id=connector_id, connector_id=1)


def id_tag_info(info: IdTokenInfo) -> datatypes.IdTagInfo:
    parent = info.group_id_token
    return datatypes.IdTagInfo(
        status=info.status if info.status in _V16_STATUSES else "Invalid",
        expiry_date=format_ocpp_datetime(info.expires_at) if info.expires_at else None,
        parent_id_tag=parent if parent and len(parent) <= _PARENT_ID_TAG_MAX else None,
    )


def readings(meter_value: list[dict[str, Any]]) -> tuple[MeterReading, ...]:
    return tuple(
        MeterReading(
            timestamp=parse_ocpp_datetime(element["timestamp"]).value,
            samples=tuple(
                SampledValue(
                    value=s["value"],
                    measurand=s.get("measurand"),
                    phase=s.get("phase"),
                    location=s.get("location"),
                    unit=s.get("unit"),
                    context=s.get("context"),
                    format=s.get("format"),
                )
                for s in element["sampled_value"]
            ),
        )
        for element in meter_value
    )


def _time(raw: str, anomalies: list[str]) -> datetime:
    parsed = parse_ocpp_datetime(raw)
    if parsed.naive:
        anomalies.append(transactions.NAIVE_TIMESTAMP)
    return parsed.value


def _now() -> str:
    return format_ocpp_datetime(timezone.now())


class ChargePoint16(OcppSession):
    ocpp_version = "1.6"
    subprotocol = "ocpp1.6"
    schema_dir = "v16"
    errors = V16_ERRORS
    known_actions = frozenset(action.value for action in Action)
    transaction_actions = frozenset({"StartTransaction", "StopTransaction", "MeterValues"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # transactionId -> Transaction (pk, stopped_at, anomalies) of MeterValues seen on this
        # socket while open: the hot path then skips a lookup per frame. Stops drop the entry.
        self._open_transactions: dict[str, Transaction] = {}

    @on(Action.boot_notification)
    async def on_boot_notification(
        self, charge_point_vendor: str, charge_point_model: str, **kw: str
    ) -> call_result.BootNotification:
        info = BootInfo(
            vendor=charge_point_vendor,
            model=charge_point_model,
            serial_number=kw.get("charge_point_serial_number", ""),
            charge_box_serial_number=kw.get("charge_box_serial_number", ""),
            firmware_version=kw.get("firmware_version", ""),
            iccid=kw.get("iccid", ""),
            imsi=kw.get("imsi", ""),
            meter_type=kw.get("meter_type", ""),
            meter_serial_number=kw.get("meter_serial_number", ""),
        )
        result = await self.register_boot(info)
        return call_result.BootNotification(
            current_time=format_ocpp_datetime(result.current_time),
            interval=result.interval,
            status=result.status,
        )

    @on(Action.heartbeat)
    async def on_heartbeat(self) -> call_result.Heartbeat:
        # Last-seen is kept by the consumer for every frame, in memory.
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    async def on_status_notification(
        self, connector_id: int, error_code: str, status: str, **kw: str
    ) -> call_result.StatusNotification:
        timestamp = kw.get("timestamp")
        report = StatusReport(
            evse=evse_for_connector(connector_id),
            status=status,
            error_code=error_code,
            timestamp=parse_ocpp_datetime(timestamp).value if timestamp else timezone.now(),
            info=kw.get("info", ""),
            vendor_id=kw.get("vendor_id", ""),
            vendor_error_code=kw.get("vendor_error_code", ""),
        )
        await run_db(status_service.report)(station_id=self.station.pk, report=report)
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, id_tag: str) -> call_result.Authorize:
        info = await run_db(authorization.authorize)(id_tag=id_tag, station_id=self.station.pk)
        return call_result.Authorize(id_tag_info=id_tag_info(info))

    @on(Action.start_transaction)
    async def on_start_transaction(
        self,
        connector_id: int,
        id_tag: str,
        meter_start: int,
        timestamp: str,
        reservation_id: int | None = None,
    ) -> call_result.StartTransaction:
        anomalies: list[str] = []
        result = await run_db(transactions.start_v16)(
            station_id=self.station.pk,
            evse=evse_for_connector(connector_id) or EvseRef(evse_id=0, connector_id=0),
            id_tag=id_tag,
            meter_start_wh=Decimal(meter_start),
            started_at=_time(timestamp, anomalies),
            reservation_id=reservation_id,
            anomalies=tuple(anomalies),
        )
        return call_result.StartTransaction(
            transaction_id=int(result.transaction_id), id_tag_info=id_tag_info(result.id_token_info)
        )

    @on(Action.stop_transaction)
    async def on_stop_transaction(
        self,
        meter_stop: int,
        timestamp: str,
        transaction_id: int,
        reason: str = "",
        id_tag: str | None = None,
        transaction_data: list[dict[str, Any]] | None = None,
    ) -> call_result.StopTransaction:
        anomalies: list[str] = []
        # The session's cached copy would not know the transaction ended.
        self._open_transactions.pop(str(transaction_id), None)
        info = await run_db(transactions.stop)(
            station_id=self.station.pk,
            transaction_id=str(transaction_id),
            meter_stop_wh=Decimal(meter_stop),
            stopped_at=_time(timestamp, anomalies),
            id_tag=id_tag,
            reason=reason,
            readings=readings(transaction_data or []),
            anomalies=tuple(anomalies),
        )
        return call_result.StopTransaction(id_tag_info=id_tag_info(info) if info else None)

    @on(Action.meter_values)
    async def on_meter_values(
        self,
        connector_id: int,
        meter_value: list[dict[str, Any]],
        transaction_id: int | None = None,
    ) -> call_result.MeterValues:
        key = str(transaction_id) if transaction_id is not None else None
        known = self._open_transactions.get(key) if key else None
        if key is not None and known is None:
            prepared = await run_db(metering.prepare)(
                station_id=self.station.pk,
                evse=evse_for_connector(connector_id),
                transaction_id=key,
                readings=readings(meter_value),
            )
            if prepared.transaction is not None and prepared.transaction.stopped_at is None:
                self._open_transactions[key] = prepared.transaction
        else:
            # Nothing to look up: the rows are built here, without a database thread hop.
            prepared = metering.prepare(
                station_id=self.station.pk,
                evse=evse_for_connector(connector_id),
                transaction=known,
                readings=readings(meter_value),
            )
        await meter_writer.write(prepared)
        return call_result.MeterValues()

    @on(Action.data_transfer)
    async def on_data_transfer(
        self, vendor_id: str, message_id: str | None = None, data: str | None = None
    ) -> call_result.DataTransfer:
        result = await run_db(data_transfer.receive)(
            station_id=self.station.pk, vendor_id=vendor_id, message_id=message_id, data=data
        )
        return call_result.DataTransfer(status=result.status, data=result.data)

    @on(Action.diagnostics_status_notification)
    async def on_diagnostics_status_notification(
        self, status: str
    ) -> call_result.DiagnosticsStatusNotification:
        await self._job_status(StationJob.Kind.DIAGNOSTICS, status)
        return call_result.DiagnosticsStatusNotification()

    @on(Action.firmware_status_notification)
    async def on_firmware_status_notification(
        self, status: str
    ) -> call_result.FirmwareStatusNotification:
        await self._job_status(StationJob.Kind.FIRMWARE, status)
        return call_result.FirmwareStatusNotification()

    @on(Action.log_status_notification)
    async def on_log_status_notification(
        self, status: str, request_id: int | None = None
    ) -> call_result.LogStatusNotification:
        await self._job_status(StationJob.Kind.LOG, status, request_id)
        return call_result.LogStatusNotification()

    @on(Action.signed_firmware_status_notification)
    async def on_signed_firmware_status_notification(
        self, status: str, request_id: int | None = None
    ) -> call_result.SignedFirmwareStatusNotification:
        await self._job_status(StationJob.Kind.FIRMWARE, status, request_id)
        return call_result.SignedFirmwareStatusNotification()

    @on(Action.security_event_notification)
    async def on_security_event_notification(
        self,
        type: str,
        timestamp: str,
        tech_info: str = "",
    ) -> call_result.SecurityEventNotification:
        await run_db(security_events.record_event)(
            station_id=self.station.pk,
            type=type,
            tech_info=tech_info,
            timestamp=parse_ocpp_datetime(timestamp).value,
        )
        return call_result.SecurityEventNotification()

    @on(Action.sign_certificate)
    async def on_sign_certificate(self, csr: str) -> call_result.SignCertificate:
        decision = await run_db(certificate_authority.sign_request)(
            station_id=self.station.pk, csr=csr
        )
        if decision.certificate is not None:
            # CertificateSigned goes out once this answer is sent.
            self.after_answer(certificate_authority.deliver, certificate_id=decision.certificate.pk)
        return call_result.SignCertificate(status=decision.status)

    async def _job_status(self, kind: str, status: str, request_id: int | None = None) -> None:
        await run_db(job_status.report_status)(
            station_id=self.station.pk,
            kind=kind,
            status=status,
            at=timezone.now(),
            request_id=request_id,
        )
