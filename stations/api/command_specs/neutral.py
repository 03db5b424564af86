"""The version-neutral remote commands offered by the REST API (`commands.remote`).

Each input serializer's fields are exactly its service's keyword arguments (besides
`station_id` and `caller`); optional fields left out keep the service's default. What one
version cannot express (a 2.x start on a connector, a 1.6 text transaction id...) is refused
by the service with CommandInvalid, and what breaks the station version's schema by the bus.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from stations.api.registry import spec
from stations.services.commands import remote

_INT32_MAX = 2**31 - 1
# TriggerMessage's requestedMessage in 1.6, 2.0.1 and 2.1; the station's version's schema
# decides which of them it takes.
TRIGGERABLE_MESSAGES = sorted(
    {
        "BootNotification",
        "DiagnosticsStatusNotification",
        "FirmwareStatusNotification",
        "Heartbeat",
        "MeterValues",
        "StatusNotification",
        "LogStatusNotification",
        "SignChargingStationCertificate",
        "SignV2GCertificate",
        "SignV2G20Certificate",
        "SignCombinedCertificate",
        "TransactionEvent",
        "PublishFirmwareStatusNotification",
        "CustomTrigger",
    }
)


def _evse(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, help_text="EVSE id (OCPP 1.6: the connector id).", **kwargs
    )


def _connector(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, help_text="Connector id on the EVSE (OCPP 1.6: always 1).", **kwargs
    )


class RemoteStartInput(serializers.Serializer):
    id_token = serializers.CharField(max_length=255, help_text="The id token to charge for.")
    evse_id = _evse(required=False)
    connector_id = _connector(required=False)
    charging_profile = serializers.DictField(
        required=False, help_text="A TxProfile in the station version's JSON (camelCase)."
    )
    remote_start_id = serializers.IntegerField(
        min_value=1,
        max_value=_INT32_MAX,
        required=False,
        help_text="2.x remoteStartId; a random one when left out.",
    )


class RemoteStopInput(serializers.Serializer):
    transaction_id = serializers.CharField(
        max_length=36, help_text="The station's transaction id (OCPP 1.6: a whole number)."
    )


class ResetInput(serializers.Serializer):
    hard = serializers.BooleanField(help_text="1.6: Hard or Soft; 2.x: see when_idle.")
    when_idle = serializers.BooleanField(
        default=True,
        help_text="2.x: wait for running sessions to end (OnIdle); false with hard: Immediate.",
    )


class ChangeAvailabilityInput(serializers.Serializer):
    operative = serializers.BooleanField()
    evse_id = _evse(required=False)
    connector_id = _connector(required=False)


class UnlockConnectorInput(serializers.Serializer):
    evse_id = _evse()
    connector_id = _connector(default=1)


class TriggerMessageInput(serializers.Serializer):
    message = serializers.ChoiceField(choices=TRIGGERABLE_MESSAGES)
    evse_id = _evse(required=False)


class ClearCacheInput(serializers.Serializer):
    pass


class DataTransferInput(serializers.Serializer):
    vendor_id = serializers.CharField(max_length=255)
    message_id = serializers.CharField(max_length=50, required=False)
    # DRF's metaclass takes declared fields off the class, so `data` does not shadow .data.
    data = serializers.JSONField(  # type: ignore[assignment]
        required=False, help_text="1.6: a string; 2.x: any JSON value."
    )


class GetConfigurationInput(serializers.Serializer):
    keys = serializers.ListField(
        child=serializers.CharField(max_length=101),
        required=False,
        allow_empty=False,
        help_text="1.6 key names (all keys when left out), or 2.x Component/Variable names.",
    )


class ChangeConfigurationInput(serializers.Serializer):
    key = serializers.CharField(
        max_length=101, help_text="1.6 key name, or 2.x Component/Variable."
    )
    value = serializers.CharField(max_length=1000, allow_blank=True)


def _configuration(outcome: remote.ConfigurationResult) -> dict[str, Any]:
    return {"values": outcome.values, "unknown": list(outcome.unknown)}


SPECS = [
    spec("remote-start", RemoteStartInput),
    spec("remote-stop", RemoteStopInput),
    spec("reset", ResetInput),
    spec("change-availability", ChangeAvailabilityInput),
    spec("unlock-connector", UnlockConnectorInput),
    spec("trigger-message", TriggerMessageInput),
    spec("clear-cache", ClearCacheInput),
    spec("data-transfer", DataTransferInput),
    spec("get-configuration", GetConfigurationInput, render=_configuration),
    spec("change-configuration", ChangeConfigurationInput),
]
