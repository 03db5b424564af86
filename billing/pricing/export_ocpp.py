"""A tariff as an OCPP 2.1 `TariffType` (a JSON-ready dict in the schema's camelCase shape),
for SetDefaultTariff, ChangeTransactionTariff and the tariff in Authorize/TransactionEvent
answers. The OCPP adapter sends it; this module only builds it (no OCPP version logic).

The mapping (docs/billing.md, "Exports"): each element's prices go to `energy.prices`
(priceKwh), `chargingTime.prices` and `idleTime.prices` (priceMinute), each with the element's
restrictions as `conditions`, in the tariff's order, so the first matching price wins as in the
engine. The idle grace period becomes `minIdleTime`; the session fee is `fixedFee`; the minimum
and maximum prices are `minCost`/`maxCost`. OCPP 2.1 has no idle cap: the description (the
driver summary) states it. Times of day are local: the station must run in the tariff's zone.
Numbers are floats (JSON numbers).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from billing.pricing.summary import summary
from billing.pricing.tariff import Restrictions, Tariff

_CONTENT_MAX = 1024
_WH_PER_KWH = 1000
_W_PER_KW = 1000


def ocpp_tariff(tariff: Tariff, *, language: str = "en") -> dict[str, Any]:
    """The OCPP 2.1 TariffType of `tariff`."""
    taxes = [{"type": "VAT", "tax": _number(tariff.vat_rate * 100)}]
    energy: list[dict[str, Any]] = []
    charging: list[dict[str, Any]] = []
    idle: list[dict[str, Any]] = []
    for element in tariff.elements:
        conditions = _conditions(element.restrictions)
        if element.per_kwh is not None:
            energy.append(_priced("priceKwh", element.per_kwh, conditions))
        if element.per_minute is not None:
            charging.append(_priced("priceMinute", element.per_minute, conditions))
        if element.idle is not None:
            idle_conditions = dict(conditions)
            if element.idle.grace_minutes:
                idle_conditions["minIdleTime"] = element.idle.grace_minutes * 60
            idle.append(_priced("priceMinute", element.idle.per_minute, idle_conditions))

    document: dict[str, Any] = {
        "tariffId": tariff.id,
        "currency": tariff.currency,
        "description": [
            {"format": "UTF8", "language": language, "content": summary(tariff)[:_CONTENT_MAX]},
        ],
    }
    for key, prices in (("energy", energy), ("chargingTime", charging), ("idleTime", idle)):
        if prices:
            document[key] = {"prices": prices, "taxRates": taxes}
    if tariff.session_fee:
        document["fixedFee"] = {
            "prices": [{"priceFixed": _number(tariff.session_fee)}],
            "taxRates": taxes,
        }
    for key, amount in (("minCost", tariff.min_price), ("maxCost", tariff.max_price)):
        if amount is not None:
            gross = tariff.rounding.round(amount * (1 + tariff.vat_rate))
            document[key] = {"exclTax": _number(amount), "inclTax": _number(gross)}
    return document


def _priced(key: str, price: Decimal, conditions: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {key: _number(price)}
    if conditions:
        entry["conditions"] = conditions
    return entry


def _conditions(r: Restrictions) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if r.start_time is not None:
        found["startTimeOfDay"] = r.start_time.strftime("%H:%M")
    if r.end_time is not None:
        found["endTimeOfDay"] = r.end_time.strftime("%H:%M")
    if r.days_of_week:
        found["dayOfWeek"] = [day.name.capitalize() for day in sorted(r.days_of_week)]
    if r.start_date is not None:
        found["validFromDate"] = r.start_date.isoformat()
    if r.end_date is not None:
        found["validToDate"] = r.end_date.isoformat()
    for key, value, factor in (
        ("minEnergy", r.min_kwh, _WH_PER_KWH),
        ("maxEnergy", r.max_kwh, _WH_PER_KWH),
        ("minPower", r.min_power_kw, _W_PER_KW),
        ("maxPower", r.max_power_kw, _W_PER_KW),
    ):
        if value is not None:
            found[key] = _number(value * factor)
    if r.min_duration is not None:
        found["minTime"] = int(r.min_duration.total_seconds())
    if r.max_duration is not None:
        found["maxTime"] = int(r.max_duration.total_seconds())
    return found


def _number(value: Decimal) -> float:
    return float(round(value, 4))
