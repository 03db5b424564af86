"""A tariff in one line for drivers, and the price of a synthetic session for previews.

The summary lists the elements in the tariff's order (the first that applies wins), e.g.
"22:00-06:00: 0.36 EUR/kWh; otherwise 0.48 EUR/kWh, 0.12 EUR/min idle after 15 min (at most
5.95 EUR); 1.19 EUR per session; prices incl. 19% VAT". The words are English for now: this
package imports no Django, so the page that shows it is where translation will hook in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from backoffice.lib.units import plain
from billing.pricing.breakdown import CostBreakdown
from billing.pricing.engine import price
from billing.pricing.tariff import Restrictions, Tariff, TariffElement, Weekday
from billing.pricing.timeline import ChargeState, MeterReading, SessionTimeline, StateChange

_UNIT_PRICE_PLACES = 4
_DAY_NAMES = {day: day.name[:3].capitalize() for day in Weekday}


def summary(tariff: Tariff, *, incl_vat: bool = True) -> str:
    """The tariff for a driver; prices with VAT unless `incl_vat` is False."""
    factor = 1 + tariff.vat_rate if incl_vat else Decimal(1)

    def money(amount: Decimal, places: int) -> str:
        return f"{_amount(amount * factor, tariff.rounding.places, places)} {tariff.currency}"

    parts = []
    restricted_before = False
    for element in tariff.elements:
        prices = ", ".join(_prices(element, money))
        conditions = _conditions(element.restrictions)
        if conditions:
            parts.append(f"{conditions}: {prices}")
            restricted_before = True
        else:
            parts.append(f"otherwise {prices}" if restricted_before else prices)
    if tariff.session_fee:
        parts.append(f"{money(tariff.session_fee, tariff.rounding.places)} per session")
    if tariff.min_price is not None:
        parts.append(f"at least {money(tariff.min_price, tariff.rounding.places)} per session")
    if tariff.max_price is not None:
        parts.append(f"at most {money(tariff.max_price, tariff.rounding.places)} per session")
    rate = plain(tariff.vat_rate * 100, 2)
    parts.append(f"prices incl. {rate}% VAT" if incl_vat else "prices excl. VAT")
    return "; ".join(parts)


def preview(
    tariff: Tariff,
    *,
    start: datetime,
    power_kw: Decimal,
    charging: timedelta,
    idle: timedelta = timedelta(0),
) -> CostBreakdown:
    """The cost of a made-up session: `charging` at a steady `power_kw` from `start`, then
    `idle` plugged in ("22 kW for 1 h 30 min starting now, 15 min idle")."""
    charged_until = start + charging
    energy_wh = power_kw * 1000 * Decimal(charging // timedelta(microseconds=1)) / 3_600_000_000
    timeline = SessionTimeline(
        start=start,
        stop=charged_until + idle,
        readings=(
            MeterReading(start, Decimal(0), power_kw * 1000),
            MeterReading(charged_until, energy_wh, Decimal(0)),
        ),
        states=(StateChange(charged_until, ChargeState.IDLE),) if idle else (),
    )
    return price(tariff, timeline)


def _prices(element: TariffElement, money: Callable[[Decimal, int], str]) -> list[str]:
    found = []
    if element.per_kwh is not None:
        found.append(f"{money(element.per_kwh, _UNIT_PRICE_PLACES)}/kWh")
    if element.per_minute is not None:
        found.append(f"{money(element.per_minute, _UNIT_PRICE_PLACES)}/min charging")
    if element.idle is not None:
        text = f"{money(element.idle.per_minute, _UNIT_PRICE_PLACES)}/min idle"
        if element.idle.grace_minutes:
            text += f" after {element.idle.grace_minutes} min"
        if element.idle.cap is not None:
            text += f" (at most {money(element.idle.cap, 2)})"
        found.append(text)
    return found


def _conditions(r: Restrictions) -> str:
    found = []
    if r.start_time is not None or r.end_time is not None:
        found.append(f"{_clock(r.start_time)}-{_clock(r.end_time)}")
    if r.days_of_week:
        found.append(", ".join(_DAY_NAMES[day] for day in sorted(r.days_of_week)))
    if r.start_date is not None or r.end_date is not None:
        found.append(_dates(r.start_date, r.end_date))
    found.extend(
        text
        for text in (
            _band(r.min_power_kw, r.max_power_kw, "kW", "from", "below"),
            _band(r.min_kwh, r.max_kwh, "kWh", "after", "first"),
            _band(
                None if r.min_duration is None else _minutes(r.min_duration),
                None if r.max_duration is None else _minutes(r.max_duration),
                "min",
                "after",
                "first",
            ),
        )
        if text
    )
    return ", ".join(found)


def _band(low: Decimal | None, high: Decimal | None, unit: str, above: str, below: str) -> str:
    if low and high is not None:
        return f"{plain(low)}-{plain(high)} {unit}"
    if low:
        return f"{above} {plain(low)} {unit}"
    if high is not None:
        return f"{below} {plain(high)} {unit}"
    return ""


def _clock(moment: time | None) -> str:
    return (moment or time(0)).strftime("%H:%M")


def _dates(first: date | None, end: date | None) -> str:
    # The end date is exclusive: drivers read the last day it applies.
    if first is not None and end is not None:
        return f"{first.isoformat()} to {(end - timedelta(days=1)).isoformat()}"
    if end is not None:
        return f"until {(end - timedelta(days=1)).isoformat()}"
    return "" if first is None else f"from {first.isoformat()}"


def _minutes(duration: timedelta) -> Decimal:
    return Decimal(duration // timedelta(seconds=1)) / 60


def _amount(value: Decimal, places: int, most: int) -> str:
    """`value` with at least `places` decimals (a currency's) and at most `most`."""
    text = f"{plain(value, most):f}"
    whole, _, decimals = text.partition(".")
    decimals = decimals.ljust(places, "0")
    return f"{whole}.{decimals}" if decimals else whole
