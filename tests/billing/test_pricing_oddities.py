"""Odd charger data is priced anyway, and every repair is listed for the operator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from billing.pricing import (
    ChargeState,
    InvalidTimeline,
    MeterReading,
    OddityKind,
    SessionTimeline,
    StateChange,
    Tariff,
    TariffElement,
    price,
)

START = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
TARIFF = Tariff(
    id="T",
    currency="EUR",
    vat_rate=D("0.19"),
    elements=(TariffElement(per_kwh=D("0.40"), per_minute=D("0.01")),),
)


def minutes(n: int) -> datetime:
    return START + timedelta(minutes=n)


def session(*registers: tuple[int, int], stop: int = 60) -> SessionTimeline:
    """Readings as (minute, register Wh)."""
    readings = tuple(MeterReading(minutes(m), D(wh)) for m, wh in registers)
    return SessionTimeline(start=START, stop=minutes(stop), readings=readings)


def kinds(breakdown) -> list[OddityKind]:
    return [oddity.kind for oddity in breakdown.oddities]


def test_unsorted_readings_are_sorted_and_flagged():
    shuffled = price(TARIFF, session((60, 9000), (0, 1000), (30, 5000)))
    ordered = price(TARIFF, session((0, 1000), (30, 5000), (60, 9000)))
    assert kinds(shuffled) == [OddityKind.UNSORTED]
    assert (shuffled.total, shuffled.energy_kwh) == (ordered.total, D(8))


def test_a_register_that_falls_and_goes_on_from_there_is_a_reset():
    # 10000 -> 15000 (+5000), falls to 200 (reset: nothing), 200 -> 3200 (+3000): 8 kWh
    result = price(TARIFF, session((0, 10000), (20, 15000), (40, 200), (60, 3200)))
    assert result.energy_kwh == D(8)
    assert kinds(result) == [OddityKind.REGISTER_RESET]
    assert result.oddities[0].at == minutes(40)


def test_a_single_low_register_value_between_two_good_ones_is_a_glitch():
    # 10000 -> 15000, a stray 12, then 16000: the stray reading is dropped; 6 kWh
    result = price(TARIFF, session((0, 10000), (20, 15000), (40, 12), (60, 16000)))
    assert result.energy_kwh == D(6)
    assert kinds(result) == [OddityKind.REGISTER_GLITCH]


def test_a_backwards_register_is_never_negative_energy():
    result = price(TARIFF, session((0, 10000), (60, 4000)))
    assert result.energy_kwh == D(0)
    assert result.energy == D(0)
    assert kinds(result) == [OddityKind.REGISTER_RESET]


def test_readings_after_the_stop_are_ignored_and_flagged():
    late = price(TARIFF, session((0, 0), (60, 5000), (75, 9000)))
    assert late.energy_kwh == D(5)
    assert kinds(late) == [OddityKind.READING_AFTER_STOP]
    assert late.total == price(TARIFF, session((0, 0), (60, 5000))).total


def test_state_changes_after_the_stop_are_flagged():
    timeline = SessionTimeline(
        start=START, stop=minutes(60), states=(StateChange(minutes(70), ChargeState.IDLE),)
    )
    result = price(TARIFF, timeline)
    assert OddityKind.STATE_AFTER_STOP in kinds(result)
    assert result.idle_minutes == D(0)


def test_the_last_reading_before_the_start_is_the_register_at_the_start():
    # A charger clock a little behind: 995 at -2 min, 1000 at -1 min, 6000 at 60: 5 kWh
    result = price(TARIFF, session((-2, 995), (-1, 1000), (60, 6000)))
    assert result.energy_kwh == D(5)
    assert kinds(result) == [OddityKind.READING_BEFORE_START] * 2
    assert "register at the start" in result.oddities[1].detail


def test_without_a_register_at_the_start_energy_counts_from_the_first_reading():
    result = price(TARIFF, session((10, 1000), (60, 6000)))
    assert result.energy_kwh == D(5)
    assert kinds(result) == [OddityKind.NO_READING_AT_START]


def test_two_readings_at_one_time_keep_the_higher_register():
    result = price(TARIFF, session((0, 0), (30, 3000), (30, 2500), (60, 6000)))
    assert result.energy_kwh == D(6)
    assert OddityKind.DUPLICATE_READING in kinds(result)


def test_a_session_without_readings_is_priced_on_time_and_flagged():
    result = price(TARIFF, SessionTimeline(start=START, stop=minutes(60)))
    assert (result.energy, result.charging_time) == (D(0), D("0.60"))
    assert kinds(result) == [OddityKind.NO_READINGS]


def test_pricing_the_same_finished_session_twice_gives_the_same_breakdown():
    timeline = session((0, 0), (20, 15000), (40, 12), (60, 16000), (90, 17000))
    assert price(TARIFF, timeline) == price(TARIFF, timeline)


@pytest.mark.parametrize(
    "options",
    [
        {"start": datetime(2026, 5, 4, 10, 0), "stop": datetime(2026, 5, 4, 11, 0)},  # noqa: DTZ001
        {"start": START, "stop": START - timedelta(seconds=1)},
        {"start": START},
        {"start": START, "as_of": START - timedelta(minutes=1)},
    ],
    ids=["naive", "stop-before-start", "no-stop-no-as-of", "as-of-before-start"],
)
def test_a_timeline_that_cannot_be_priced_is_refused(options):
    with pytest.raises(InvalidTimeline):
        SessionTimeline(**options)


def test_until_cuts_a_session_with_a_reading_interpolated_at_the_cut():
    timeline = session((0, 0), (60, 6000))
    at_twenty = timeline.until(minutes(20))
    assert at_twenty.stop is None
    assert at_twenty.as_of == minutes(20)
    assert at_twenty.readings[-1] == MeterReading(minutes(20), D(2000))
    assert price(TARIFF, at_twenty).energy_kwh == D(2)


def test_a_register_that_is_not_a_decimal_is_refused():
    with pytest.raises(InvalidTimeline):
        SessionTimeline(start=START, stop=minutes(60), readings=(MeterReading(START, 1000.5),))
