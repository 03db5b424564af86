"""OCPP date-time handling shared by every version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class OcppTime:
    value: datetime
    # True when the charger sent no zone: the value was taken as UTC (PROTOCOL.md).
    naive: bool


def parse_ocpp_datetime(raw: str) -> OcppTime:
    """Parse an OCPP timestamp into aware UTC. Raises ValueError if it is no date-time.

    A value without a zone is taken as UTC and flagged, never refused.
    """
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return OcppTime(parsed.replace(tzinfo=UTC), naive=True)
    return OcppTime(parsed.astimezone(UTC), naive=False)


def format_ocpp_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix and millisecond precision, as chargers expect."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
