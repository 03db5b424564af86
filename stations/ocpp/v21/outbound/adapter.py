"""The adapter object the builders of this package register on."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from stations.ocpp.outbound import Builder, OutboundAdapter
from stations.ocpp.v16.outbound.adapter import ADAPTER as V16
from stations.ocpp.v201.outbound.adapter import ADAPTER as V201
from stations.services.commands.adapters import Request, Traits

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

# Said by the older versions of a message only 2.1 has.
ONLY_IN_21 = "{title} is an OCPP 2.1 message; this station speaks OCPP {version}."


def builds_new(
    request_type: type[Request], *, fields: Mapping[str, str] | None = None
) -> Callable[[Builder], Builder]:
    """`ADAPTER.builds` for a message 2.1 adds: the older versions refuse it with ONLY_IN_21
    (their own refusal would call a 2.1 message a 2.0.1 / 2.1 one)."""
    for older in (V16, V201):
        older.refuses(request_type, ONLY_IN_21)
    return ADAPTER.builds(request_type, fields=fields)
