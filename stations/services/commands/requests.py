"""Version-neutral requests of remote control (see `adapters`): what a service asks a station.

Ids follow the domain: EVSE N and its connector M; the adapter of a version that numbers
them otherwise (1.6: connector N is EVSE N) translates or refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from stations.services.commands.adapters import Request


@dataclass(frozen=True, slots=True)
class Reset(Request):
    """Restart the station: `hard` at once, or gracefully; `when_idle` waits for idle (2.x)."""

    title: ClassVar[str] = "Reset"
    hard: bool
    when_idle: bool = True


@dataclass(frozen=True, slots=True)
class ClearCache(Request):
    """Empty the station's authorization cache."""

    title: ClassVar[str] = "ClearCache"
