"""The adapter object the builders of this package register on."""

from __future__ import annotations

from stations.ocpp.outbound import OutboundAdapter
from stations.ocpp.v201.outbound.adapter import ADAPTER as V201
from stations.services.commands.adapters import Traits

ADAPTER = OutboundAdapter(
    "2.1",
    traits=Traits(
        one_connector_per_evse=False,
        component_variable_keys=True,
        device_model=True,
        v21_features=True,
        id_token_max=255,
        trigger_messages=(*V201.traits.trigger_messages, "SignV2G20Certificate", "CustomTrigger"),
        reset_when_idle=True,
        json_data_transfer=True,
        reserve_connector_type=True,
        limit_decimal_places=3,
        display_message_max=1024,
    ),
    refusal="{title} is not an OCPP 2.1 command.",
    parent=V201,
)
