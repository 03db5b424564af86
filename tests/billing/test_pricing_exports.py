"""Tariffs rendered as OCPI 2.2.1 Tariff objects and OCPP 2.1 TariffType, the driver summary
and the preview of a made-up session."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D
from pathlib import Path

import fastjsonschema
import ocpp
import pytest

from billing.pricing import (
    IdlePrice,
    LineKind,
    Restrictions,
    Tariff,
    TariffElement,
    Weekday,
)
from billing.pricing.export_ocpi import ocpi_tariff
from billing.pricing.export_ocpp import ocpp_tariff
from billing.pricing.summary import preview, summary

SCHEMAS = Path(ocpp.__file__).parent / "v21" / "schemas"

NIGHT = TariffElement(
    per_kwh=D("0.30"),
    restrictions=Restrictions(
        start_time=time(22),
        end_time=time(6),
        days_of_week=frozenset({Weekday.MONDAY, Weekday.TUESDAY}),
    ),
)
FAST = TariffElement(
    per_kwh=D("0.59"),
    per_minute=D("0.05"),
    restrictions=Restrictions(
        min_power_kw=D(50),
        max_kwh=D(40),
        min_duration=timedelta(minutes=5),
        max_duration=timedelta(hours=2),
        start_date=date(2026, 1, 1),
        end_date=date(2027, 1, 1),
    ),
)
BASE = TariffElement(per_kwh=D("0.39"), idle=IdlePrice(D("0.05"), grace_minutes=15, cap=D("10.00")))
TARIFF = Tariff(
    id="AC-DC-2026",
    currency="EUR",
    vat_rate=D("0.19"),
    timezone="Europe/Berlin",
    elements=(NIGHT, FAST, BASE),
    session_fee=D("0.50"),
    min_price=D("1.00"),
    max_price=D("80.00"),
)


@pytest.fixture(scope="module")
def set_default_tariff():
    schema = json.loads((SCHEMAS / "SetDefaultTariffRequest.json").read_text())
    return fastjsonschema.compile(schema)


def test_the_ocpp_tariff_is_valid_for_set_default_tariff(set_default_tariff):
    document = ocpp_tariff(TARIFF)
    set_default_tariff({"evseId": 0, "tariff": document})


def test_a_minimal_ocpp_tariff_is_valid_too(set_default_tariff):
    minimal = Tariff(id="T", currency="EUR", vat_rate=D(0), elements=(BASE,))
    set_default_tariff({"evseId": 1, "tariff": ocpp_tariff(minimal)})


def test_the_schema_check_would_catch_a_wrong_shape(set_default_tariff):
    document = ocpp_tariff(TARIFF)
    document["energy"]["prices"][0]["pricePerKwh"] = 0.3
    with pytest.raises(fastjsonschema.JsonSchemaException):
        set_default_tariff({"evseId": 0, "tariff": document})


def test_the_ocpp_tariff_keeps_the_order_conditions_and_grace():
    document = ocpp_tariff(TARIFF)
    assert [p["priceKwh"] for p in document["energy"]["prices"]] == [0.3, 0.59, 0.39]
    assert document["energy"]["prices"][0]["conditions"] == {
        "startTimeOfDay": "22:00",
        "endTimeOfDay": "06:00",
        "dayOfWeek": ["Monday", "Tuesday"],
    }
    assert document["energy"]["prices"][1]["conditions"] == {
        "validFromDate": "2026-01-01",
        "validToDate": "2027-01-01",
        "maxEnergy": 40000.0,
        "minPower": 50000.0,
        "minTime": 300,
        "maxTime": 7200,
    }
    assert document["chargingTime"]["prices"][0]["priceMinute"] == 0.05
    assert document["idleTime"]["prices"] == [
        {"priceMinute": 0.05, "conditions": {"minIdleTime": 900}}
    ]
    assert document["fixedFee"]["prices"] == [{"priceFixed": 0.5}]
    assert document["energy"]["taxRates"] == [{"type": "VAT", "tax": 19.0}]
    # 1.00 + 19 % = 1.19; 80.00 + 19 % = 95.20
    assert document["minCost"] == {"exclTax": 1.0, "inclTax": 1.19}
    assert document["maxCost"] == {"exclTax": 80.0, "inclTax": 95.2}


def test_the_ocpi_tariff_has_the_2_2_1_shape():
    updated = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    document = ocpi_tariff(TARIFF, country_code="DE", party_id="BOX", last_updated=updated)
    assert {k: document[k] for k in ("country_code", "party_id", "id", "currency")} == {
        "country_code": "DE",
        "party_id": "BOX",
        "id": "AC-DC-2026",
        "currency": "EUR",
    }
    assert document["last_updated"] == "2026-05-04T10:00:00Z"
    flat, night, fast, base = document["elements"]
    assert flat == {
        "price_components": [{"type": "FLAT", "price": 0.5, "vat": 19.0, "step_size": 1}]
    }
    assert night["restrictions"] == {
        "start_time": "22:00",
        "end_time": "06:00",
        "day_of_week": ["MONDAY", "TUESDAY"],
    }
    # OCPI prices time per hour: 0.05/min is 3.00/h
    assert [(c["type"], c["price"]) for c in fast["price_components"]] == [
        ("ENERGY", 0.59),
        ("TIME", 3.0),
    ]
    assert fast["restrictions"] == {
        "start_date": "2026-01-01",
        "end_date": "2027-01-01",
        "max_kwh": 40.0,
        "min_power": 50.0,
        "min_duration": 300,
        "max_duration": 7200,
    }
    assert [(c["type"], c["price"]) for c in base["price_components"]] == [
        ("ENERGY", 0.39),
        ("PARKING_TIME", 3.0),
    ]
    assert "restrictions" not in base
    assert document["min_price"] == {"excl_vat": 1.0, "incl_vat": 1.19}
    # No grace period in OCPI 2.2.1: the alternative text says it.
    assert "after 15 min" in document["tariff_alt_text"][0]["text"]
    json.dumps(document)  # JSON-ready as it is


def test_the_summary_gives_drivers_prices_with_vat():
    # 0.30 x 1.19 = 0.357; 0.59 x 1.19 = 0.7021; 0.05 x 1.19 = 0.0595; 0.39 x 1.19 = 0.4641;
    # cap 10.00 x 1.19 = 11.90; fee 0.50 x 1.19 = 0.595 -> 0.60 (half up, two decimals)
    assert summary(TARIFF) == (
        "22:00-06:00, Mon, Tue: 0.357 EUR/kWh; "
        "2026-01-01 to 2026-12-31, from 50 kW, first 40 kWh, 5-120 min: "
        "0.7021 EUR/kWh, 0.0595 EUR/min charging; "
        "otherwise 0.4641 EUR/kWh, 0.0595 EUR/min idle after 15 min (at most 11.90 EUR); "
        "0.60 EUR per session; at least 1.19 EUR per session; at most 95.20 EUR per session; "
        "prices incl. 19% VAT"
    )


def test_the_summary_without_vat_shows_net_prices():
    simple = Tariff(
        id="T",
        currency="EUR",
        vat_rate=D("0.19"),
        elements=(TariffElement(per_kwh=D("0.39"), idle=IdlePrice(D("0.05"), grace_minutes=15)),),
    )
    assert summary(simple, incl_vat=False) == (
        "0.39 EUR/kWh, 0.05 EUR/min idle after 15 min; prices excl. VAT"
    )


def test_a_preview_prices_a_made_up_session():
    # 22 kW for 1 h 30 min from Wednesday 2026-05-06 12:00 local (10:00Z), then 30 min idle.
    # 33 kWh; the fast element needs 50 kW and the night element the night: base 0.39/kWh.
    # energy 33 x 0.39 = 12.87; idle 30 min, 15 free, 15 x 0.05 = 0.75; fee 0.50
    # net 14.12; VAT 14.12 x 0.19 = 2.6828 -> 2.68; total 16.80
    result = preview(
        TARIFF,
        start=datetime(2026, 5, 6, 10, 0, tzinfo=UTC),
        power_kw=D(22),
        charging=timedelta(hours=1, minutes=30),
        idle=timedelta(minutes=30),
    )
    lines = {(line.kind, line.element): line.amount for line in result.lines}
    assert lines == {
        (LineKind.ENERGY, 2): D("12.87"),
        (LineKind.IDLE_TIME, 2): D("0.75"),
        (LineKind.SESSION_FEE, None): D("0.50"),
    }
    assert (result.net, result.vat, result.total) == (D("14.12"), D("2.68"), D("16.80"))
    assert (result.charging_minutes, result.idle_minutes) == (D(90), D(30))
