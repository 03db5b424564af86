"""The OCPP 2.1-only commands, one call each with the payload it sends: shared by the service
tests (offline station, other versions refused) and the tests over real sockets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from stations.models import PeriodicEventStream
from stations.services.charging import battery_swap, energy_transfer, payments, station_tariffs
from stations.services.device import event_streams
from stations.services.smart_charging import der_control

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
TARIFF = {
    "tariffId": "D-2026-01",
    "currency": "EUR",
    "energy": {"prices": [{"priceKwh": 0.35}], "taxRates": [{"type": "vat", "tax": 21.0}]},
}
CURVE = {
    "priority": 1,
    "yUnit": "PctMaxW",
    "curveData": [{"x": 230.0, "y": 100.0}, {"x": 253.0, "y": 0.0}],
}


def open_stream(station: Any) -> None:
    PeriodicEventStream.objects.create(
        station=station,
        stream_id=4,
        variable_monitoring_id=12,
        interval=60,
        values=60,
        opened_at=timezone.now(),
    )


@dataclass(frozen=True)
class Case:
    id: str
    service: Callable[..., Any]
    kwargs: dict[str, Any]
    action: str
    # The payload sent; None where it holds a random id (GetDERControl's requestId).
    payload: dict[str, Any] | None
    # The station's status that refuses the request; None: the answer has no status.
    rejected: str | None = "Rejected"
    setup: Callable[[Any], None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def call(self, station: Any, **kwargs: Any) -> Any:
        if self.setup is not None:
            self.setup(station)
        return self.service(station_id=station.pk, **self.kwargs, **kwargs)


CASES = [
    Case(
        "request-battery-swap",
        battery_swap.request_battery_swap,
        {"id_token": "TAG-1", "token_type": "ISO14443", "request_id": 77},
        "RequestBatterySwap",
        {"requestId": 77, "idToken": {"idToken": "TAG-1", "type": "ISO14443"}},
    ),
    Case(
        "use-priority-charging",
        energy_transfer.use_priority_charging,
        {"transaction_id": "TX-1"},
        "UsePriorityCharging",
        {"transactionId": "TX-1", "activate": True},
        rejected="NoProfile",
    ),
    Case(
        "update-dynamic-schedule",
        energy_transfer.update_dynamic_schedule,
        {"charging_profile_id": 9, "schedule_update": {"limit": 11000.0, "setpoint": -3000.0}},
        "UpdateDynamicSchedule",
        {"chargingProfileId": 9, "scheduleUpdate": {"limit": 11000.0, "setpoint": -3000.0}},
    ),
    Case(
        "afrr-signal",
        energy_transfer.afrr_signal,
        {"signal": -1, "timestamp": T0},
        "AFRRSignal",
        {"timestamp": "2026-01-05T10:00:00.000Z", "signal": -1},
    ),
    Case(
        "notify-allowed-energy-transfer",
        energy_transfer.notify_allowed_energy_transfer,
        {"transaction_id": "TX-1", "allowed_energy_transfer": ["DC", "DC_BPT"]},
        "NotifyAllowedEnergyTransfer",
        {"transactionId": "TX-1", "allowedEnergyTransfer": ["DC", "DC_BPT"]},
    ),
    Case(
        "notify-web-payment-started",
        payments.notify_web_payment_started,
        {"evse_id": 1, "timeout": 120},
        "NotifyWebPaymentStarted",
        {"evseId": 1, "timeout": 120},
        rejected=None,
    ),
    Case(
        "set-der-control",
        der_control.set_der_control,
        {"control_type": "VoltWatt", "setting": CURVE, "control_id": "vw-1"},
        "SetDERControl",
        {"isDefault": True, "controlId": "vw-1", "controlType": "VoltWatt", "curve": CURVE},
        rejected="NotSupported",
    ),
    Case(
        "get-der-control",
        der_control.get_der_control,
        {"control_type": "VoltWatt"},
        "GetDERControl",
        None,
        rejected="NotFound",
    ),
    Case(
        "clear-der-control",
        der_control.clear_der_control,
        {"is_default": True, "control_type": "VoltWatt"},
        "ClearDERControl",
        {"isDefault": True, "controlType": "VoltWatt"},
        rejected="NotFound",
    ),
    Case(
        "set-default-tariff",
        station_tariffs.set_default_tariff,
        {"tariff": TARIFF},
        "SetDefaultTariff",
        {"evseId": 0, "tariff": TARIFF},
        rejected="TooManyElements",
    ),
    Case(
        "get-tariffs",
        station_tariffs.get_tariffs,
        {},
        "GetTariffs",
        {"evseId": 0},
        rejected="NoTariff",
    ),
    Case(
        "clear-tariffs",
        station_tariffs.clear_tariffs,
        {"tariff_ids": ["D-2026-01"]},
        "ClearTariffs",
        {"tariffIds": ["D-2026-01"]},
        rejected=None,
    ),
    Case(
        "change-transaction-tariff",
        station_tariffs.change_transaction_tariff,
        {"transaction_id": "TX-1", "tariff": TARIFF},
        "ChangeTransactionTariff",
        {"transactionId": "TX-1", "tariff": TARIFF},
        rejected="NoCurrencyChange",
    ),
    Case(
        "get-periodic-event-streams",
        event_streams.get_periodic_event_streams,
        {},
        "GetPeriodicEventStream",
        {},
        rejected=None,
    ),
    Case(
        "adjust-periodic-event-stream",
        event_streams.adjust_periodic_event_stream,
        {"stream_id": 4, "interval": 10},
        "AdjustPeriodicEventStream",
        {"id": 4, "params": {"interval": 10}},
        setup=open_stream,
    ),
]
WITH_STATUS = [case for case in CASES if case.rejected is not None]


def ids(case: Case) -> str:
    return case.id
