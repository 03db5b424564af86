"""The adapter object the builders of this package register on."""

from __future__ import annotations

from stations.ocpp.outbound import OutboundAdapter
from stations.services.commands.adapters import Traits

ADAPTER = OutboundAdapter(
    "2.0.1",
    traits=Traits(
        one_connector_per_evse=False,
        component_variable_keys=True,
        device_model=True,
        v21_features=False,
        id_token_max_length=36,
    ),
    refusal="{title} exists only in OCPP 2.1: this station speaks OCPP 2.0.1.",
)
