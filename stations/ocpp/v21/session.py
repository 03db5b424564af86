"""OCPP 2.1 adapter: the 2.0.1 session plus what 2.1 adds (SEND, CALLRESULTERROR, V2X...).

Messages shared with 2.0.1 use the 2.0.1 handlers; requests and answers are validated
against the 2.1 schemas. The handlers here are the charger-initiated messages new in 2.1;
the 2.1 messages a CSMS sends (NotifyAllowedEnergyTransfer, NotifyWebPaymentStarted,
RequestBatterySwap, SetDERControl...) are not answered here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ocpp.v21.call_result
from django.utils import timezone
from ocpp.routing import on
from ocpp.v21 import call_result
from ocpp.v21.enums import Action

from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations import questions
from stations.ocpp.db import run_db
from stations.ocpp.framing import CALLRESULTERROR, SEND
from stations.ocpp.v201 import ChargePoint201, device_convert
from stations.ocpp.v201.notifications import not_enabled
from stations.services.charging import battery_swap
from stations.services.device import event_streams
from stations.services.smart_charging import der_control


class ChargePoint21(ChargePoint201):
    ocpp_version = "2.1"
    subprotocol = "ocpp2.1"
    schema_dir = "v21"
    known_actions = frozenset(action.value for action in Action)
    extra_message_types = frozenset({CALLRESULTERROR, SEND})
    send_actions = frozenset({"NotifyPeriodicEventStream"})
    _call_result = ocpp.v21.call_result
    answers_with_terms = True

    def transaction_event_result(
        self, id_token_info: dict[str, Any] | None, terms: questions.TransactionTerms | None
    ) -> Any:
        """2.1 tells the station the session's limits (new or changed) in transactionLimit:
        the station then stops by itself; no limits left is an empty transactionLimit."""
        if terms is None or terms.limits is None:
            return call_result.TransactionEvent(id_token_info=id_token_info)
        return call_result.TransactionEvent(
            id_token_info=id_token_info, transaction_limit=transaction_limit(terms.limits)
        )

    # Battery swapping (functional block S).

    @on(Action.battery_swap)
    async def on_battery_swap(
        self,
        event_type: str,
        request_id: int,
        id_token: dict[str, Any],
        battery_data: list[dict[str, Any]],
        **kw: Any,
    ) -> call_result.BatterySwap:
        await run_db(battery_swap.record)(
            station_id=self.station.pk,
            event_type=event_type,
            request_id=request_id,
            id_tag=id_token["id_token"],
            battery_data=battery_data,
        )
        return call_result.BatterySwap()

    # DER control (functional block R): alarms and start/stop kept whole; reports tied to the
    # GetDERControl that asked.

    @on(Action.notify_der_alarm)
    async def on_notify_der_alarm(
        self, control_type: str, timestamp: str, **kw: Any
    ) -> call_result.NotifyDERAlarm:
        await self.store_report(
            "NotifyDERAlarm", {"control_type": control_type, "timestamp": timestamp, **kw}
        )
        return call_result.NotifyDERAlarm()

    @on(Action.notify_der_start_stop)
    async def on_notify_der_start_stop(
        self, control_id: str, started: bool, timestamp: str, **kw: Any
    ) -> call_result.NotifyDERStartStop:
        await self.store_report(
            "NotifyDERStartStop",
            {"control_id": control_id, "started": started, "timestamp": timestamp, **kw},
        )
        await run_db(der_control.record_start_stop)(
            station_id=self.station.pk,
            control_id=control_id,
            started=started,
            superseded_ids=kw.get("superseded_ids") or [],
        )
        return call_result.NotifyDERStartStop()

    @on(Action.report_der_control)
    async def on_report_der_control(
        self, request_id: int, tbc: bool = False, **controls: Any
    ) -> call_result.ReportDERControl:
        # One page of the report a GetDERControl asked for: the rest of kwargs are the kinds.
        controls.pop("custom_data", None)
        await run_db(der_control.record_report)(
            station_id=self.station.pk, request_id=request_id, tbc=tbc, controls=controls
        )
        return call_result.ReportDERControl()

    # Smart charging additions (K21-K22 priority charging, K28 dynamic profiles).

    @on(Action.notify_priority_charging)
    async def on_notify_priority_charging(
        self, transaction_id: str, activated: bool, **kw: Any
    ) -> call_result.NotifyPriorityCharging:
        await self.store_report(
            "NotifyPriorityCharging",
            {"transaction_id": transaction_id, "activated": activated, **kw},
        )
        return call_result.NotifyPriorityCharging()

    @on(Action.pull_dynamic_schedule_update)
    async def on_pull_dynamic_schedule_update(
        self, charging_profile_id: int, **kw: Any
    ) -> call_result.PullDynamicScheduleUpdate:
        await self.store_report(
            "PullDynamicScheduleUpdate", {"charging_profile_id": charging_profile_id, **kw}
        )
        # The back office has set no dynamic profile, so this one does not exist: Rejected
        # with reason InvalidProfile (K28.FR.12).
        return call_result.PullDynamicScheduleUpdate(
            status="Rejected",
            status_info={
                "reason_code": "InvalidProfile",
                "additional_info": "No dynamic charging profile was set by the back office",
            },
        )

    # Ad hoc payment (C18-C24).

    @on(Action.notify_settlement)
    async def on_notify_settlement(
        self, psp_ref: str, status: str, settlement_amount: float, settlement_time: str, **kw: Any
    ) -> call_result.NotifySettlement:
        await self.store_report(
            "NotifySettlement",
            {
                "psp_ref": psp_ref,
                "status": status,
                "settlement_amount": settlement_amount,
                "settlement_time": settlement_time,
                **kw,
            },
        )
        # receiptUrl/receiptId are only for a receipt the CSMS generates: none is.
        return call_result.NotifySettlement()

    @on(Action.vat_number_validation)
    async def on_vat_number_validation(
        self, vat_number: str, **kw: Any
    ) -> call_result.VatNumberValidation:
        evse_id = kw.get("evse_id")
        await self.store_report(
            "VatNumberValidation", {"vat_number": vat_number, **kw}, evse_id=evse_id
        )
        # Accepted means "validated" (C18.FR.09); with no validation service configured the
        # number is not validated: Rejected, echoing the evseId (C18.FR.10).
        return call_result.VatNumberValidation(
            status="Rejected",
            vat_number=vat_number,
            evse_id=evse_id,
            status_info=not_enabled("No VAT number validation service is configured"),
        )

    # Certificates (M07).

    @on(Action.get_certificate_chain_status)
    async def on_get_certificate_chain_status(
        self, certificate_status_requests: list[dict[str, Any]], **kw: Any
    ) -> call_result.GetCertificateChainStatus:
        await self.store_report(
            "GetCertificateChainStatus",
            {"certificate_status_requests": certificate_status_requests, **kw},
        )
        # No OCSP or CRL access is configured, so no status is retrieved: Failed for each
        # certificate (M07.FR.02/05); nextUpdate now, so the station may ask again at once.
        now = format_ocpp_datetime(timezone.now())
        return call_result.GetCertificateChainStatus(
            certificate_status=[
                {
                    "certificate_hash_data": request["certificate_hash_data"],
                    "source": request["source"],
                    "status": "Failed",
                    "next_update": now,
                }
                for request in certificate_status_requests
            ]
        )

    # Periodic event streams (N11-N15).

    @on(Action.open_periodic_event_stream)
    async def on_open_periodic_event_stream(
        self, constant_stream_data: dict[str, Any], **kw: Any
    ) -> call_result.OpenPeriodicEventStream:
        await run_db(event_streams.opened)(
            station_id=self.station.pk,
            stream_id=constant_stream_data["id"],
            variable_monitoring_id=constant_stream_data["variable_monitoring_id"],
            params=device_convert.stream_params(constant_stream_data.get("params")),
        )
        # The stream's NotifyPeriodicEventStream messages are stored: Accepted (N11).
        return call_result.OpenPeriodicEventStream(status="Accepted")

    @on(Action.close_periodic_event_stream)
    async def on_close_periodic_event_stream(
        self, id: int, **kw: Any
    ) -> call_result.ClosePeriodicEventStream:
        await run_db(event_streams.closed)(station_id=self.station.pk, stream_id=id)
        return call_result.ClosePeriodicEventStream()

    @on("NotifyPeriodicEventStream")
    async def on_notify_periodic_event_stream(
        self,
        id: int,
        pending: int,
        basetime: str,
        data: list[dict[str, Any]],
        **kw: Any,
    ) -> None:
        # Arrives as a SEND: stored, never answered.
        await self.store_report(
            "NotifyPeriodicEventStream",
            {"id": id, "pending": pending, "basetime": basetime, "data": data},
            request_id=id,
        )


def transaction_limit(limits: questions.TransactionLimits) -> dict[str, Any]:
    """A TransactionLimitType (camelCase keys are kept as they are by the `ocpp` package)."""
    limit: dict[str, Any] = {}
    if limits.energy_wh is not None:
        limit["maxEnergy"] = _json_number(limits.energy_wh)
    if limits.duration_seconds is not None:
        limit["maxTime"] = limits.duration_seconds
    if limits.cost is not None:
        limit["maxCost"] = _json_number(limits.cost)
    return limit


def _json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number the station reads (whole values as integers)."""
    return int(value) if value == value.to_integral_value() else float(value)
