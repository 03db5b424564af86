"""Remote control in OCPP 2.0.1 and 2.1."""

from __future__ import annotations

from stations.services.commands.adapters import Message
from stations.services.commands.requests import ClearCache, Reset

from .adapter import ADAPTER


@ADAPTER.builds(Reset)
def reset(request: Reset, version: str) -> Message:
    # 2.x has no soft reset: only a hard reset not told to wait for idle is immediate.
    immediate = request.hard and not request.when_idle
    return Message("Reset", {"type": "Immediate" if immediate else "OnIdle"})


@ADAPTER.builds(ClearCache)
def clear_cache(request: ClearCache, version: str) -> Message:
    return Message("ClearCache", {})
