"""The OCPP 2.0.1 session: provisioning, availability, authorization, metering, transactions.

Each handler turns its payload into version-neutral values, calls one service and maps the
answer back. The other charger-initiated messages are in the mixins it is built from.
"""

from __future__ import annotations

from typing import Any, ClassVar

import ocpp.v201.call_result
from django.utils import timezone
from ocpp.routing import on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from backoffice.lib.ocpp_time import format_ocpp_datetime, parse_ocpp_datetime
from stations import questions
from stations.ocpp.db import run_db
from stations.ocpp.errors import V2X_ERRORS
from stations.ocpp.meter_writer import writer as meter_writer
from stations.ocpp.session import OcppSession
from stations.services.charging import (
    authorization,
    metering,
    transaction_events,
    transactions,
)
from stations.services.charging import status as status_service
from stations.services.types import BootInfo, EvseRef, StatusReport

from . import convert
from .device_model import DeviceModelHandlers
from .notifications import NotificationHandlers


class ChargePoint201(DeviceModelHandlers, NotificationHandlers, OcppSession):
    ocpp_version = "2.0.1"
    subprotocol = "ocpp2.0.1"
    schema_dir = "v201"
    errors = V2X_ERRORS
    known_actions = frozenset(action.value for action in Action)
    transaction_actions = frozenset({"TransactionEvent", "MeterValues"})
    # Whether a TransactionEvent's answer carries what applies to the session (2.1 does).
    answers_with_terms: ClassVar[bool] = False
    _call_result = ocpp.v201.call_result

    def request_schema(self, action: str) -> str:
        return f"{action}Request"

    @on(Action.boot_notification)
    async def on_boot_notification(
        self, charging_station: dict[str, Any], reason: str, **kw: Any
    ) -> call_result.BootNotification:
        modem = charging_station.get("modem") or {}
        info = BootInfo(
            vendor=charging_station["vendor_name"],
            model=charging_station["model"],
            serial_number=charging_station.get("serial_number", ""),
            firmware_version=charging_station.get("firmware_version", ""),
            iccid=modem.get("iccid", ""),
            imsi=modem.get("imsi", ""),
            reason=reason,
        )
        result = await self.register_boot(info)
        return call_result.BootNotification(
            current_time=format_ocpp_datetime(result.current_time),
            interval=result.interval,
            status=result.status,
        )

    @on(Action.heartbeat)
    async def on_heartbeat(self, **kw: Any) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=format_ocpp_datetime(timezone.now()))

    @on(Action.status_notification)
    async def on_status_notification(
        self, timestamp: str, connector_status: str, evse_id: int, connector_id: int, **kw: Any
    ) -> call_result.StatusNotification:
        report = StatusReport(
            evse=EvseRef(evse_id=evse_id, connector_id=connector_id) if evse_id else None,
            status=connector_status,
            timestamp=parse_ocpp_datetime(timestamp).value,
        )
        await run_db(status_service.report)(station_id=self.station.pk, report=report)
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, id_token: dict[str, Any], **kw: Any) -> call_result.Authorize:
        info = await run_db(authorization.authorize)(
            id_tag=id_token["id_token"], station_id=self.station.pk, token_type=id_token["type"]
        )
        if kw.get("iso15118_certificate_hash_data") or kw.get("certificate"):
            # Kept for Plug & Charge; until a certificate authority exists none is validated.
            await self.store_report("Authorize", {"id_token": id_token, **kw})
        return call_result.Authorize(id_token_info=convert.id_token_info(info))

    @on(Action.meter_values)
    async def on_meter_values(
        self, evse_id: int, meter_value: list[dict[str, Any]], **kw: Any
    ) -> call_result.MeterValues:
        # No transaction to look up: the rows are built here, without a database thread hop.
        prepared = metering.prepare(
            station_id=self.station.pk,
            evse=EvseRef(evse_id=evse_id) if evse_id else None,
            readings=convert.readings(meter_value),
        )
        await meter_writer.write(prepared)
        return call_result.MeterValues()

    @on(Action.transaction_event)
    async def on_transaction_event(
        self,
        event_type: str,
        timestamp: str,
        trigger_reason: str,
        seq_no: int,
        transaction_info: dict[str, Any],
        **kw: Any,
    ) -> call_result.TransactionEvent:
        when = parse_ocpp_datetime(timestamp)
        id_token = kw.get("id_token") or {}
        event = transaction_events.TransactionEventData(
            event_type=event_type,
            transaction_id=transaction_info["transaction_id"],
            seq_no=seq_no,
            timestamp=when.value,
            trigger_reason=trigger_reason,
            offline=kw.get("offline", False),
            charging_state=transaction_info.get("charging_state"),
            stopped_reason=transaction_info.get("stopped_reason"),
            stopped_at_limit=convert.stopped_at_limit(transaction_info.get("stopped_reason")),
            remote_start_id=transaction_info.get("remote_start_id"),
            reservation_id=kw.get("reservation_id"),
            evse=convert.evse_ref(kw.get("evse")),
            id_token=id_token.get("id_token"),
            id_token_type=id_token.get("type"),
            readings=convert.readings(kw.get("meter_value")),
            anomalies=(transactions.NAIVE_TIMESTAMP,) if when.naive else (),
            # The rest of the request; meter values are stored as meter values.
            payload={
                "transaction_info": transaction_info,
                **{k: v for k, v in kw.items() if k != "meter_value"},
            },
        )
        outcome = await run_db(transaction_events.record_event)(
            station_id=self.station.pk, event=event, ask_terms=self.answers_with_terms
        )
        info = convert.id_token_info(outcome.id_token_info) if outcome.id_token_info else None
        return self.transaction_event_result(info, outcome.terms)

    def transaction_event_result(
        self, id_token_info: dict[str, Any] | None, terms: questions.TransactionTerms | None
    ) -> Any:
        """The answer to a TransactionEvent; 2.0.1 has no place for the session's terms."""
        return call_result.TransactionEvent(id_token_info=id_token_info)
