"""OCPP 2.1 adapter: the 2.0.1 session plus what 2.1 adds (SEND, CALLRESULTERROR, V2X...).

Messages shared with 2.0.1 use the 2.0.1 handlers; requests and answers are validated
against the 2.1 schemas.
"""

from __future__ import annotations

from typing import Any

import ocpp.v21.call_result
from ocpp.routing import on
from ocpp.v21.enums import Action

from .framing import CALLRESULTERROR, SEND
from .v201 import ChargePoint201


class ChargePoint21(ChargePoint201):
    ocpp_version = "2.1"
    subprotocol = "ocpp2.1"
    schema_dir = "v21"
    known_actions = frozenset(action.value for action in Action)
    extra_message_types = frozenset({CALLRESULTERROR, SEND})
    send_actions = frozenset({"NotifyPeriodicEventStream"})
    _call_result = ocpp.v21.call_result

    @on("NotifyPeriodicEventStream")
    async def on_notify_periodic_event_stream(
        self,
        id: int,
        pending: int,
        basetime: str,
        data: list[dict[str, Any]],
        **kw: Any,
    ) -> None:
        # Arrives as a SEND: stored, never answered.
        await self.store_report(
            "NotifyPeriodicEventStream",
            {"id": id, "pending": pending, "basetime": basetime, "data": data},
            request_id=id,
        )
