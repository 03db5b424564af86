"""The adapter object the builders of this package register on."""

from __future__ import annotations

from stations.ocpp.outbound import OutboundAdapter
from stations.services.commands.adapters import Traits

ADAPTER = OutboundAdapter(
    "1.6",
    traits=Traits(
        one_connector_per_evse=True,
        component_variable_keys=False,
        device_model=False,
        v21_features=False,
        id_token_max_length=20,
    ),
    refusal="{title} is an OCPP 2.0.1 / 2.1 command: this station speaks OCPP 1.6.",
)
