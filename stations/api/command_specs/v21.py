"""The OCPP 2.1-only commands offered by the REST API: DER control, local-cost tariffs,
battery swaps, priority charging, dynamic schedules, aFRR, V2X and web payments, periodic
event streams.

Each input serializer's fields are exactly its service's keyword arguments (besides
`station_id` and `caller`); optional fields left out keep the service's default. Large
structures (a DER setting, a tariff, a schedule update) are OCPP's camelCase JSON, validated
against the 2.1 schema by the bus. A station that does not speak 2.1 is refused by the
service with CommandInvalid.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from stations.api.registry import V21, CommandSpec
from stations.services.charging import battery_swap, energy_transfer, payments, station_tariffs
from stations.services.device import event_streams
from stations.services.smart_charging import der_control

_INT32_MAX = 2**31 - 1
ENERGY_TRANSFER_MODES = [
    "AC_single_phase",
    "AC_two_phase",
    "AC_three_phase",
    "DC",
    "AC_BPT",
    "AC_BPT_DER",
    "AC_DER",
    "DC_BPT",
    "DC_ACDP",
    "DC_ACDP_BPT",
    "WPT",
]
_CONTROL_TYPES = sorted(der_control.CONTROL_TYPES)


def _transaction_id() -> serializers.CharField:
    return serializers.CharField(max_length=36, help_text="The station's transaction id.")


def _tariff() -> serializers.DictField:
    return serializers.DictField(
        help_text='A TariffType in camelCase: {"tariffId": ..., "currency": ..., "energy": ...}.'
    )


class RequestBatterySwapInput(serializers.Serializer):
    id_token = serializers.CharField(max_length=255, help_text="The driver's id token.")
    token_type = serializers.CharField(
        max_length=20, required=False, help_text="The id token's type; Central when left out."
    )
    request_id = serializers.IntegerField(
        min_value=1,
        max_value=_INT32_MAX,
        required=False,
        help_text="Carried by the station's BatterySwap events; a random one when left out.",
    )


class UsePriorityChargingInput(serializers.Serializer):
    transaction_id = _transaction_id()
    activate = serializers.BooleanField(
        default=True, help_text="False: back to the transaction's normal charging profile."
    )


class UpdateDynamicScheduleInput(serializers.Serializer):
    charging_profile_id = serializers.IntegerField(help_text="The dynamic charging profile.")
    schedule_update = serializers.DictField(
        help_text='A ChargingScheduleUpdateType in camelCase, e.g. {"limit": 11000}.'
    )


class AfrrSignalInput(serializers.Serializer):
    signal = serializers.IntegerField(help_text="The value of the signal in v2xSignalWattCurve.")
    timestamp = serializers.DateTimeField(
        required=False, help_text="When the signal becomes active; now when left out."
    )


class NotifyAllowedEnergyTransferInput(serializers.Serializer):
    transaction_id = _transaction_id()
    allowed_energy_transfer = serializers.ListField(
        child=serializers.ChoiceField(choices=ENERGY_TRANSFER_MODES), allow_empty=False
    )


class NotifyWebPaymentStartedInput(serializers.Serializer):
    evse_id = serializers.IntegerField(min_value=0)
    timeout = serializers.IntegerField(
        min_value=1, help_text="Seconds after which no payment result is to be expected."
    )


class SetDerControlInput(serializers.Serializer):
    control_type = serializers.ChoiceField(choices=_CONTROL_TYPES)
    setting = serializers.DictField(
        help_text="The setting of the control type in camelCase: a DERCurveType for curves, "
        "a FreqDroopType for FreqDroop, etc."
    )
    is_default = serializers.BooleanField(
        default=True, help_text="False: a scheduled control (needs startTime and duration)."
    )
    control_id = serializers.CharField(
        max_length=36, required=False, help_text="A UUID is generated when left out."
    )


class GetDerControlInput(serializers.Serializer):
    is_default = serializers.BooleanField(required=False)
    control_type = serializers.ChoiceField(choices=_CONTROL_TYPES, required=False)
    control_id = serializers.CharField(max_length=36, required=False)


class ClearDerControlInput(serializers.Serializer):
    is_default = serializers.BooleanField(help_text="Clear default, or scheduled, controls.")
    control_type = serializers.ChoiceField(choices=_CONTROL_TYPES, required=False)
    control_id = serializers.CharField(max_length=36, required=False)


class SetDefaultTariffInput(serializers.Serializer):
    tariff = _tariff()
    evse_id = serializers.IntegerField(min_value=0, default=0, help_text="0: every EVSE.")


class GetTariffsInput(serializers.Serializer):
    evse_id = serializers.IntegerField(min_value=0, default=0, help_text="0: every EVSE.")


class ClearTariffsInput(serializers.Serializer):
    tariff_ids = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, allow_empty=False
    )
    evse_id = serializers.IntegerField(min_value=0, required=False)


class ChangeTransactionTariffInput(serializers.Serializer):
    transaction_id = _transaction_id()
    tariff = _tariff()


class GetPeriodicEventStreamsInput(serializers.Serializer):
    pass


class AdjustPeriodicEventStreamInput(serializers.Serializer):
    stream_id = serializers.IntegerField(min_value=0)
    interval = serializers.IntegerField(
        min_value=0, required=False, help_text="Flush every this many seconds."
    )
    values = serializers.IntegerField(
        min_value=0, required=False, help_text="Flush every this many values."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "interval" not in attrs and "values" not in attrs:
            raise serializers.ValidationError(event_streams.NO_STREAM_PARAMS)
        return attrs


def _spec(
    name: str, service: Any, serializer: type[serializers.Serializer], summary: str
) -> CommandSpec:
    return CommandSpec(name=name, service=service, input=serializer, versions=V21, summary=summary)


SPECS = [
    _spec(
        "request-battery-swap",
        battery_swap.request_battery_swap,
        RequestBatterySwapInput,
        "Ask a swap station to release a battery for a driver.",
    ),
    _spec(
        "use-priority-charging",
        energy_transfer.use_priority_charging,
        UsePriorityChargingInput,
        "Switch a transaction to (or back from) its PriorityCharging profile.",
    ),
    _spec(
        "update-dynamic-schedule",
        energy_transfer.update_dynamic_schedule,
        UpdateDynamicScheduleInput,
        "Push new limits or setpoints into a dynamic charging profile.",
    ),
    _spec(
        "afrr-signal",
        energy_transfer.afrr_signal,
        AfrrSignalInput,
        "Send an aFRR frequency-restoration signal.",
    ),
    _spec(
        "notify-allowed-energy-transfer",
        energy_transfer.notify_allowed_energy_transfer,
        NotifyAllowedEnergyTransferInput,
        "Tell the station which energy transfer modes a transaction may use.",
    ),
    _spec(
        "notify-web-payment-started",
        payments.notify_web_payment_started,
        NotifyWebPaymentStartedInput,
        "Tell the station a driver started paying on the web for an EVSE.",
    ),
    _spec(
        "set-der-control",
        der_control.set_der_control,
        SetDerControlInput,
        "Install a DER control (curve or setting), default or scheduled.",
    ),
    _spec(
        "get-der-control",
        der_control.get_der_control,
        GetDerControlInput,
        "Ask the station to report its DER controls (arrives as a DER control report).",
    ),
    _spec(
        "clear-der-control",
        der_control.clear_der_control,
        ClearDerControlInput,
        "Clear default or scheduled DER controls: all, one type, or one id.",
    ),
    _spec(
        "set-default-tariff",
        station_tariffs.set_default_tariff,
        SetDefaultTariffInput,
        "Install the default tariff of an EVSE (0: every EVSE) for local cost calculation.",
    ),
    _spec(
        "get-tariffs",
        station_tariffs.get_tariffs,
        GetTariffsInput,
        "List the tariffs installed on the station, or on one EVSE.",
    ),
    _spec(
        "clear-tariffs",
        station_tariffs.clear_tariffs,
        ClearTariffsInput,
        "Clear default tariffs: those named, those of one EVSE, or all.",
    ),
    _spec(
        "change-transaction-tariff",
        station_tariffs.change_transaction_tariff,
        ChangeTransactionTariffInput,
        "Apply another tariff to a running transaction.",
    ),
    _spec(
        "get-periodic-event-streams",
        event_streams.get_periodic_event_streams,
        GetPeriodicEventStreamsInput,
        "List the periodic event streams the station has open.",
    ),
    _spec(
        "adjust-periodic-event-stream",
        event_streams.adjust_periodic_event_stream,
        AdjustPeriodicEventStreamInput,
        "Change how often an open periodic event stream is flushed.",
    ),
]
