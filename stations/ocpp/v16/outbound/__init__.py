"""The messages the back office sends to an OCPP 1.6 station, built from version-neutral
requests: one module per subdomain registers its builders (and readers) on `ADAPTER`."""

from __future__ import annotations

# Imported for their registrations on ADAPTER.
from . import charging_profiles, configuration, jobs, local_lists, remote, reservations, security
from .adapter import ADAPTER

__all__ = [
    "ADAPTER",
    "charging_profiles",
    "configuration",
    "jobs",
    "local_lists",
    "remote",
    "reservations",
    "security",
]
