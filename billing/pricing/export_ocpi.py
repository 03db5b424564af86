"""A tariff as an OCPI 2.2.1 `Tariff` object (a JSON-ready dict), for the roaming work.

The mapping (docs/billing.md, "Exports"):
- the session fee becomes a first element holding only a FLAT component (it selects nothing
  else, so the other elements keep their order and meaning);
- per kWh -> ENERGY, per minute charging -> TIME, per minute idle -> PARKING_TIME; OCPI prices
  time per hour, so minute prices are multiplied by 60; step sizes are 1 (Wh, second), as the
  engine bills exactly;
- restrictions map one to one (durations in seconds, power in kW, energy in kWh);
- VAT goes on every component as a percentage, min/max prices carry excl_vat and incl_vat.
OCPI 2.2.1 has no idle grace period or idle cap: those are stated in `tariff_alt_text`, which
also carries the driver summary. Numbers are floats (JSON numbers), at most 4 decimals.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from billing.pricing.summary import summary
from billing.pricing.tariff import Restrictions, Tariff, TariffElement

_DISPLAY_TEXT_MAX = 512
_MINUTES_PER_HOUR = 60


def ocpi_tariff(
    tariff: Tariff,
    *,
    country_code: str,
    party_id: str,
    last_updated: datetime,
    language: str = "en",
    tariff_type: str | None = None,
) -> dict[str, Any]:
    """The OCPI 2.2.1 Tariff object of `tariff`, owned by `country_code`/`party_id`."""
    vat = _number(tariff.vat_rate * 100)
    elements: list[dict[str, Any]] = []
    if tariff.session_fee:
        elements.append(
            {"price_components": [_component("FLAT", tariff.session_fee, vat)]},
        )
    elements.extend(_element(element, vat) for element in tariff.elements)
    document: dict[str, Any] = {
        "country_code": country_code,
        "party_id": party_id,
        "id": tariff.id,
        "currency": tariff.currency,
        "tariff_alt_text": [
            {"language": language, "text": summary(tariff)[:_DISPLAY_TEXT_MAX]},
        ],
        "elements": elements,
        "last_updated": _timestamp(last_updated),
    }
    if tariff_type is not None:
        document["type"] = tariff_type
    for key, amount in (("min_price", tariff.min_price), ("max_price", tariff.max_price)):
        if amount is not None:
            gross = tariff.rounding.round(amount * (1 + tariff.vat_rate))
            document[key] = {"excl_vat": _number(amount), "incl_vat": _number(gross)}
    return document


def _element(element: TariffElement, vat: float) -> dict[str, Any]:
    components = []
    if element.per_kwh is not None:
        components.append(_component("ENERGY", element.per_kwh, vat))
    if element.per_minute is not None:
        components.append(_component("TIME", element.per_minute * _MINUTES_PER_HOUR, vat))
    if element.idle is not None:
        hourly = element.idle.per_minute * _MINUTES_PER_HOUR
        components.append(_component("PARKING_TIME", hourly, vat))
    result: dict[str, Any] = {"price_components": components}
    restrictions = _restrictions(element.restrictions)
    if restrictions:
        result["restrictions"] = restrictions
    return result


def _component(kind: str, price: Decimal, vat: float) -> dict[str, Any]:
    return {"type": kind, "price": _number(price), "vat": vat, "step_size": 1}


def _restrictions(r: Restrictions) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if r.start_time is not None:
        found["start_time"] = r.start_time.strftime("%H:%M")
    if r.end_time is not None:
        found["end_time"] = r.end_time.strftime("%H:%M")
    if r.start_date is not None:
        found["start_date"] = r.start_date.isoformat()
    if r.end_date is not None:
        found["end_date"] = r.end_date.isoformat()
    for key, value in (
        ("min_kwh", r.min_kwh),
        ("max_kwh", r.max_kwh),
        ("min_power", r.min_power_kw),
        ("max_power", r.max_power_kw),
    ):
        if value is not None:
            found[key] = _number(value)
    if r.min_duration is not None:
        found["min_duration"] = int(r.min_duration.total_seconds())
    if r.max_duration is not None:
        found["max_duration"] = int(r.max_duration.total_seconds())
    if r.days_of_week:
        found["day_of_week"] = [day.name for day in sorted(r.days_of_week)]
    return found


def _number(value: Decimal) -> float:
    return float(round(value, 4))


def _timestamp(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise ValueError("last_updated must carry its time zone.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
