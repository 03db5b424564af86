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
        id_token_max_length=255,
    ),
    refusal="{title} is not an OCPP 2.1 command.",
    parent=V201,
)
