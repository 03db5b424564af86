"""The messages the back office sends to an OCPP 2.0.1 station (and, where 2.1 registers
nothing of its own, to a 2.1 station: builders are told the version)."""

from __future__ import annotations

# Imported for their registrations on ADAPTER.
from . import charging, configuration, remote, reservations
from .adapter import ADAPTER

__all__ = ["ADAPTER", "charging", "configuration", "remote", "reservations"]
