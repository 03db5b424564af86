"""The messages the back office sends to an OCPP 2.0.1 station (and, where 2.1 registers
nothing of its own, to a 2.1 station: builders are told the version)."""

from __future__ import annotations

# Imported for their registrations on ADAPTER.
from . import (
    charging,
    charging_profiles,
    configuration,
    customer_information,
    device_reports,
    display_messages,
    jobs,
    local_lists,
    monitoring,
    network_profiles,
    remote,
    reservations,
    security,
)
from .adapter import ADAPTER

__all__ = [
    "ADAPTER",
    "charging",
    "charging_profiles",
    "configuration",
    "customer_information",
    "device_reports",
    "display_messages",
    "jobs",
    "local_lists",
    "monitoring",
    "network_profiles",
    "remote",
    "reservations",
    "security",
]
