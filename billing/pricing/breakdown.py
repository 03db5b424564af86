"""What the engine returns: a session's cost, line by line, with the oddities it met."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from billing.pricing.timeline import Oddity


class LineKind(StrEnum):
    ENERGY = "energy"  # per kWh
    CHARGING_TIME = "charging_time"  # per minute charging
    IDLE_TIME = "idle_time"  # per minute idle, after the grace period, up to the cap
    SESSION_FEE = "session_fee"
    MINIMUM = "minimum"  # raises the net to the minimum price
    MAXIMUM = "maximum"  # lowers the net to the maximum price (a negative amount)
    ROUNDING = "rounding"  # only when the net is rounded once, not line by line


UNITS = {
    LineKind.ENERGY: "kWh",
    LineKind.CHARGING_TIME: "min",
    LineKind.IDLE_TIME: "min",
    LineKind.SESSION_FEE: "session",
}


@dataclass(frozen=True)
class CostLine:
    """One line: `quantity` of `unit` at `unit_price` (net) gives `amount` (net, rounded as
    the tariff says). `element` is the index of the tariff element that priced it (None for
    the fee and the adjustments). `capped`: the idle cap cut the amount."""

    kind: LineKind
    element: int | None
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    capped: bool = False


@dataclass(frozen=True)
class CostBreakdown:
    """A session's cost. All amounts are net of VAT except `vat` and `total`.

    `lines` add up exactly to `net`, and `net + vat == total`. The subtotals group the lines by
    kind. `energy_kwh`, `charging_minutes` and `idle_minutes` are what the session used (idle
    minutes include the free grace period). `final` is False for a live cost (as of
    `priced_until`).
    """

    tariff_id: str
    currency: str
    lines: tuple[CostLine, ...]
    energy_kwh: Decimal
    charging_minutes: Decimal
    idle_minutes: Decimal
    net: Decimal
    vat_rate: Decimal
    vat: Decimal
    total: Decimal
    priced_from: datetime
    priced_until: datetime
    final: bool
    oddities: tuple[Oddity, ...]

    def subtotal(self, *kinds: LineKind) -> Decimal:
        return sum((line.amount for line in self.lines if line.kind in kinds), Decimal(0))

    @property
    def energy(self) -> Decimal:
        return self.subtotal(LineKind.ENERGY)

    @property
    def charging_time(self) -> Decimal:
        return self.subtotal(LineKind.CHARGING_TIME)

    @property
    def idle_time(self) -> Decimal:
        return self.subtotal(LineKind.IDLE_TIME)

    @property
    def fees(self) -> Decimal:
        return self.subtotal(LineKind.SESSION_FEE)

    @property
    def adjustment(self) -> Decimal:
        """What the minimum or maximum price added (positive) or took off (negative)."""
        return self.subtotal(LineKind.MINIMUM, LineKind.MAXIMUM)

    @property
    def rounding(self) -> Decimal:
        return self.subtotal(LineKind.ROUNDING)
