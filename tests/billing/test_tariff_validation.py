"""A tariff that could not price a session is refused when it is built, with a reason."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal as D

import pytest

from billing.pricing import (
    IdlePrice,
    InvalidTariff,
    Restrictions,
    RoundingPolicy,
    Tariff,
    TariffElement,
)

ENERGY = TariffElement(per_kwh=D("0.40"))


def build(**options) -> Tariff:
    values = {"id": "T", "currency": "EUR", "vat_rate": D("0.19"), "elements": (ENERGY,)}
    values.update(options)
    return Tariff(**values)


def test_a_plain_tariff_is_accepted():
    assert build().zone.key == "UTC"


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"currency": "eur"}, "ISO 4217"),
        ({"currency": "EURO"}, "ISO 4217"),
        ({"vat_rate": D(19)}, "fraction"),
        ({"vat_rate": 0.19}, "Decimal"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"id": ""}, "id"),
        ({"id": "x" * 37}, "id"),
        ({"session_fee": D("-1")}, "negative"),
        ({"min_price": D("1.005")}, "decimals"),
        ({"min_price": D(10), "max_price": D(5)}, "below the minimum"),
        ({"elements": [ENERGY]}, "tuple"),
    ],
)
def test_a_bad_tariff_is_refused_with_a_reason(options, reason):
    with pytest.raises(InvalidTariff) as raised:
        build(**options)
    assert reason in raised.value.message


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: TariffElement(), "at least one price"),
        (lambda: TariffElement(per_kwh=D("-0.1")), "negative"),
        (lambda: IdlePrice(D("0.1"), grace_minutes=-1), "negative"),
        (lambda: IdlePrice(D("0.1"), grace_minutes=1.5), "whole number"),
        (lambda: Restrictions(start_time=time(10, 0, 30)), "HH:MM"),
        (lambda: Restrictions(start_time=time(10), end_time=time(10)), "different"),
        (lambda: Restrictions(min_kwh=D(10), max_kwh=D(5)), "above the minimum"),
        (lambda: Restrictions(min_power_kw=D(50), max_power_kw=D(50)), "above the minimum"),
        (
            lambda: Restrictions(min_duration=timedelta(hours=2), max_duration=timedelta(hours=1)),
            "above the minimum",
        ),
        (lambda: RoundingPolicy(places=7), "decimals"),
        (lambda: RoundingPolicy(mode="ROUND_SOMETIMES"), "rounding mode"),
    ],
)
def test_a_bad_part_is_refused_with_a_reason(make, reason):
    with pytest.raises(InvalidTariff) as raised:
        make()
    assert reason in raised.value.message


def test_an_idle_cap_finer_than_the_rounding_is_refused():
    element = TariffElement(idle=IdlePrice(D("0.10"), cap=D("2.005")))
    with pytest.raises(InvalidTariff):
        build(elements=(element,))
