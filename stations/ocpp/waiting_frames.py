"""The frames of one station socket that wait to be answered, and the bound on them.

OCPP-J allows a station one outstanding CALL; one that sends more without waiting must not
make the server hold them all. Under daphne the server stops reading the socket past
OCPP_MAX_QUEUED_FRAMES frames or OCPP_MAX_QUEUED_BYTES bytes waiting
(backoffice/daphne_patches/inbound_flow.py), so TCP keeps the station waiting: the consumer
tells it each frame it is done with. Only where the server cannot stop reading (another ASGI
server, or a daphne upgrade that moved what the patch wraps) would frames pile up past the
limits: at twice the limits the consumer refuses the frame and closes the socket with 1008.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from django.conf import settings
from django.utils import timezone

from backoffice.daphne_patches import inbound_flow
from stations.services.security import security_events

from .db import run_db

log = structlog.get_logger(__name__)

# Queued frames (or bytes) past the limits times this close the socket.
HARD_CAP_FACTOR = 2


def frame_bytes(text: str | None, data: bytes | None) -> int:
    """A frame's size as the server counted it: its bytes, a text frame's UTF-8 length."""
    if text is None:
        return len(data or b"")
    return len(text) if text.isascii() else len(text.encode())


class WaitingFrames:
    def __init__(self, scope: Mapping[str, Any]) -> None:
        self._flow: inbound_flow.InboundFlow | None = (scope.get("extensions") or {}).get(
            inbound_flow.EXTENSION
        )
        if self._flow is not None:
            self._flow.limit(
                frames=settings.OCPP_MAX_QUEUED_FRAMES, size=settings.OCPP_MAX_QUEUED_BYTES
            )
        # Frames queued for the call task (CALLs and SENDs), and their bytes.
        self.queued = 0
        self.queued_bytes = 0
        self._pause_reported = False

    def queue(self, size: int) -> bool:
        """Count a frame kept for the call task; False (not counted) past the hard cap."""
        if (
            self.queued + 1 > HARD_CAP_FACTOR * settings.OCPP_MAX_QUEUED_FRAMES
            or self.queued_bytes + size > HARD_CAP_FACTOR * settings.OCPP_MAX_QUEUED_BYTES
        ):
            return False
        self.queued += 1
        self.queued_bytes += size
        return True

    def done(self, size: int, *, queued: bool) -> None:
        """The consumer is done with a frame of `size` bytes (`queued`: one counted by queue())."""
        if queued:
            self.queued -= 1
            self.queued_bytes -= size
        if self._flow is not None:
            self._flow.release(size)

    @property
    def pauses(self) -> int:
        """How often the server stopped reading the socket."""
        return self._flow.pauses if self._flow is not None else 0

    def refusal_note(self, action: str, message_id: str, size: int) -> str:
        """What operators read of a frame refused past the hard cap."""
        return (
            f"(refused: {action} {message_id!r} of {size} bytes; {self.queued} frames of "
            f"{self.queued_bytes} bytes were waiting, over {HARD_CAP_FACTOR} times "
            f"OCPP_MAX_QUEUED_FRAMES={settings.OCPP_MAX_QUEUED_FRAMES} or "
            f"OCPP_MAX_QUEUED_BYTES={settings.OCPP_MAX_QUEUED_BYTES}; closed with 1008)"
        )

    def first_pause_unreported(self) -> bool:
        """True once, after the server first stopped reading the socket."""
        if self._pause_reported or not self.pauses:
            return False
        self._pause_reported = True
        return True


def paused_note() -> str:
    return (
        "The station sent CALLs without waiting for the answers (OCPP-J: one at a time): its "
        f"socket was not read while more than {settings.OCPP_MAX_QUEUED_FRAMES} frames or "
        f"{settings.OCPP_MAX_QUEUED_BYTES} bytes waited."
    )


async def record_event(*, station_pk: int | None, tech_info: str) -> None:
    """A TooManyWaitingFrames security event, best effort: a failure to record it (the
    database away) is logged and never reaches the station's socket."""
    if station_pk is None:
        return
    try:
        await run_db(security_events.record_event)(
            station_id=station_pk,
            type=security_events.TOO_MANY_WAITING_FRAMES,
            timestamp=timezone.now(),
            tech_info=tech_info,
            raised_by_backoffice=True,
        )
    except Exception:
        log.warning("ocpp.flood_event_not_recorded", station_pk=station_pk, exc_info=True)
