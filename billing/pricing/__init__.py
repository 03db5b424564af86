"""The pricing engine: tariffs, session timelines and `price()`, pure (no Django, no database).

Everything a caller needs is importable from here; docs/billing.md explains the model.
"""

from __future__ import annotations

from billing.pricing.breakdown import CostBreakdown, CostLine, LineKind
from billing.pricing.engine import price
from billing.pricing.tariff import (
    IdlePrice,
    InvalidTariff,
    Restrictions,
    RoundingPolicy,
    Tariff,
    TariffElement,
    Weekday,
)
from billing.pricing.timeline import (
    ChargeState,
    InvalidTimeline,
    MeterReading,
    Oddity,
    OddityKind,
    SessionTimeline,
    StateChange,
)

__all__ = [
    "ChargeState",
    "CostBreakdown",
    "CostLine",
    "IdlePrice",
    "InvalidTariff",
    "InvalidTimeline",
    "LineKind",
    "MeterReading",
    "Oddity",
    "OddityKind",
    "Restrictions",
    "RoundingPolicy",
    "SessionTimeline",
    "StateChange",
    "Tariff",
    "TariffElement",
    "Weekday",
    "price",
]
