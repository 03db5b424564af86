"""The OCPP versions this back office speaks, best first: the seam where new versions plug in."""

from __future__ import annotations

from .session import OcppSession
from .v16 import ChargePoint16
from .v21 import ChargePoint21
from .v201 import ChargePoint201

# Highest version first: a charger offering several gets the highest we share.
SESSIONS: tuple[type[OcppSession], ...] = (ChargePoint21, ChargePoint201, ChargePoint16)


def choose(offered: list[str]) -> type[OcppSession] | None:
    """The session class for the best subprotocol in `offered`, or None if we share none."""
    for session_class in SESSIONS:
        if session_class.subprotocol in offered:
            return session_class
    return None
