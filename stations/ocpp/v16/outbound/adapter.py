"""The adapter object the builders of this package register on."""

from __future__ import annotations

from stations.ocpp.outbound import OutboundAdapter
from stations.services.commands.adapters import Traits

# What a 1.6 station is said to be when asked for a message only 2.x has.
REFUSAL = "{title} is an OCPP 2.0.1 / 2.1 command: this station speaks OCPP 1.6."

ADAPTER = OutboundAdapter(
    "1.6",
    traits=Traits(
        one_connector_per_evse=True,
        component_variable_keys=False,
        device_model=False,
        v21_features=False,
        id_token_max=20,
        trigger_messages=(
            "BootNotification",
            "DiagnosticsStatusNotification",
            "FirmwareStatusNotification",
            "Heartbeat",
            "MeterValues",
            "StatusNotification",
        ),
        reset_when_idle=False,
        json_data_transfer=False,
        reserve_connector_type=False,
        limit_decimal_places=1,
        display_message_max=0,
    ),
    refusal=REFUSAL,
)
