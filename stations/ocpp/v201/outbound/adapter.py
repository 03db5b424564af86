"""The adapter object the builders of this package register on."""

from __future__ import annotations

from stations.ocpp.outbound import OutboundAdapter
from stations.services.commands.adapters import Traits

# TriggerMessage's requestedMessage values in the 2.0.1 schema (2.1 adds two).
_TRIGGER_MESSAGES = (
    "BootNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "LogStatusNotification",
    "MeterValues",
    "PublishFirmwareStatusNotification",
    "SignChargingStationCertificate",
    "SignCombinedCertificate",
    "SignV2GCertificate",
    "StatusNotification",
    "TransactionEvent",
)

ADAPTER = OutboundAdapter(
    "2.0.1",
    traits=Traits(
        one_connector_per_evse=False,
        component_variable_keys=True,
        device_model=True,
        v21_features=False,
        id_token_max=36,
        trigger_messages=_TRIGGER_MESSAGES,
        reset_when_idle=True,
        json_data_transfer=True,
        reserve_connector_type=True,
        limit_decimal_places=3,
        display_message_max=512,
    ),
    refusal="{title} exists only in OCPP 2.1: this station speaks OCPP 2.0.1.",
)
