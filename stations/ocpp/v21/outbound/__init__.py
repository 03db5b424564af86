"""The messages the back office sends to an OCPP 2.1 station: the 2.0.1 builders (told the
version), and what 2.1 adds or writes differently, registered here."""

from __future__ import annotations

# Imported for their registrations on ADAPTER.
from . import charging, der_control, energy, event_streams, tariffs
from .adapter import ADAPTER

__all__ = [
    "ADAPTER",
    "charging",
    "der_control",
    "energy",
    "event_streams",
    "tariffs",
]
