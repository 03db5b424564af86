"""Units: meter values normalised to Wh and W, and amounts rounded for people to read."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_ENERGY_FACTORS = {"Wh": Decimal(1), "kWh": Decimal(1000)}
_POWER_FACTORS = {"W": Decimal(1), "kW": Decimal(1000)}


def parse_decimal(raw: str | int | float) -> Decimal | None:
    """A sampled value as Decimal, or None when the charger sent something non-numeric."""
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def to_wh(value: Decimal, unit: str | None) -> Decimal | None:
    """Energy in Wh; OCPP's default unit for energy measurands is Wh."""
    factor = _ENERGY_FACTORS.get(unit or "Wh")
    return None if factor is None else value * factor


def to_w(value: Decimal, unit: str | None) -> Decimal | None:
    """Power in W; OCPP's default unit for power measurands is W."""
    factor = _POWER_FACTORS.get(unit or "W")
    return None if factor is None else value * factor


def plain(value: Decimal, places: int = 3) -> Decimal:
    """`value` rounded half up to `places` decimals, without trailing zeros or an exponent, for
    people to read: 1.5 (not 1.500), 20 (not 2E+1)."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    # A tiny negative amount rounds to 0, not to "-0".
    return Decimal(text) if text.strip("-0") else Decimal(0)
