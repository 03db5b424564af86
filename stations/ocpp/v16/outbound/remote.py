"""Remote control in OCPP 1.6."""

from __future__ import annotations

from stations.services.commands.adapters import Message
from stations.services.commands.requests import ClearCache, Reset

from .adapter import ADAPTER


@ADAPTER.builds(Reset)
def reset(request: Reset, version: str) -> Message:
    return Message("Reset", {"type": "Hard" if request.hard else "Soft"})


@ADAPTER.builds(ClearCache)
def clear_cache(request: ClearCache, version: str) -> Message:
    return Message("ClearCache", {})
