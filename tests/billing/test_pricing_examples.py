"""Sessions priced by hand: the arithmetic is in the comments, the engine must agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN
from decimal import Decimal as D

from billing.pricing import (
    ChargeState,
    IdlePrice,
    LineKind,
    MeterReading,
    Restrictions,
    RoundingPolicy,
    SessionTimeline,
    StateChange,
    Tariff,
    TariffElement,
    Weekday,
    price,
)

BERLIN = "Europe/Berlin"


def tariff(*elements: TariffElement, **options) -> Tariff:
    options.setdefault("vat_rate", D("0.19"))
    return Tariff(id="T", currency="EUR", elements=elements, **options)


def steady(start: datetime, hours: D, kw: D, *, register: D = D(0)) -> SessionTimeline:
    """Charging at a steady `kw` for `hours`: a reading at the start and one at the stop."""
    stop = start + timedelta(seconds=float(hours * 3600))
    return SessionTimeline(
        start=start,
        stop=stop,
        readings=(
            MeterReading(start, register),
            MeterReading(stop, register + kw * hours * 1000),
        ),
    )


def amounts(breakdown, kind: LineKind) -> dict[int | None, D]:
    return {line.element: line.amount for line in breakdown.lines if line.kind is kind}


def quantities(breakdown, kind: LineKind) -> dict[int | None, D]:
    return {line.element: line.quantity for line in breakdown.lines if line.kind is kind}


def test_energy_and_charging_time_with_vat():
    # 10:00 to 11:30 UTC, register 5000 -> 20750 Wh: 15.75 kWh in 90 min.
    # energy 15.75 x 0.39 = 6.1425 -> 6.14; time 90 x 0.02 = 1.80; net 7.94
    # VAT 7.94 x 0.19 = 1.5086 -> 1.51; total 9.45
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    result = price(
        tariff(TariffElement(per_kwh=D("0.39"), per_minute=D("0.02"))),
        SessionTimeline(
            start=start,
            stop=start + timedelta(minutes=90),
            readings=(
                MeterReading(start, D(5000)),
                MeterReading(start + timedelta(minutes=90), D(20750)),
            ),
        ),
    )
    assert quantities(result, LineKind.ENERGY) == {0: D("15.75")}
    assert amounts(result, LineKind.ENERGY) == {0: D("6.14")}
    assert amounts(result, LineKind.CHARGING_TIME) == {0: D("1.80")}
    assert (result.net, result.vat, result.total) == (D("7.94"), D("1.51"), D("9.45"))
    assert result.energy_kwh == D("15.75")
    assert result.charging_minutes == D(90)
    assert result.final
    assert result.oddities == ()


def test_a_night_band_starts_at_local_22_00():
    # Berlin in January is UTC+1. 21:00-23:30 local at 11 kW: 27.5 kWh.
    # 21:00-22:00 day: 11 kWh x 0.45 = 4.95; 22:00-23:30 night: 16.5 kWh x 0.25 = 4.125 -> 4.13
    # net 9.08; VAT 9.08 x 0.19 = 1.7252 -> 1.73; total 10.81
    night = TariffElement(
        per_kwh=D("0.25"), restrictions=Restrictions(start_time=time(22), end_time=time(6))
    )
    day = TariffElement(per_kwh=D("0.45"))
    start = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)
    result = price(tariff(night, day, timezone=BERLIN), steady(start, D("2.5"), D(11)))
    assert quantities(result, LineKind.ENERGY) == {0: D("16.5"), 1: D(11)}
    assert amounts(result, LineKind.ENERGY) == {0: D("4.13"), 1: D("4.95")}
    assert (result.net, result.vat, result.total) == (D("9.08"), D("1.73"), D("10.81"))


def test_a_weekend_price_starts_at_local_midnight():
    # Friday 2026-01-16 23:00 to Saturday 01:00 local (UTC+1) at 10 kW:
    # Friday hour 10 kWh x 0.40 = 4.00; Saturday hour 10 kWh x 0.30 = 3.00; net 7.00
    weekend = TariffElement(
        per_kwh=D("0.30"),
        restrictions=Restrictions(days_of_week=frozenset({Weekday.SATURDAY, Weekday.SUNDAY})),
    )
    start = datetime(2026, 1, 16, 22, 0, tzinfo=UTC)
    result = price(
        tariff(weekend, TariffElement(per_kwh=D("0.40")), timezone=BERLIN),
        steady(start, D(2), D(10)),
    )
    assert amounts(result, LineKind.ENERGY) == {0: D("3.00"), 1: D("4.00")}
    assert result.net == D("7.00")


def test_a_promotion_ends_on_its_exclusive_end_date():
    # Promotion for January (end date 2026-02-01 exclusive), UTC. 2026-01-31 23:30 to
    # 2026-02-01 00:30 at 8 kW: January half hour 4 kWh x 0.20 = 0.80, February 4 x 0.40 = 1.60
    promotion = TariffElement(
        per_kwh=D("0.20"),
        restrictions=Restrictions(start_date=date(2026, 1, 1), end_date=date(2026, 2, 1)),
    )
    start = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    result = price(tariff(promotion, TariffElement(per_kwh=D("0.40"))), steady(start, D(1), D(8)))
    assert amounts(result, LineKind.ENERGY) == {0: D("0.80"), 1: D("1.60")}


def test_the_night_is_an_hour_shorter_when_clocks_go_forward():
    # 2026-03-29 Berlin: 02:00 CET becomes 03:00 CEST at 01:00 UTC. Night 00:00-03:00 local.
    # Session 00:00 CET (23:00Z) to 04:00 CEST (02:00Z): three real hours.
    # night 23:00Z-01:00Z = 120 min x 0.10 = 12.00; day 01:00Z-02:00Z = 60 min x 0.20 = 12.00
    night = TariffElement(
        per_minute=D("0.10"), restrictions=Restrictions(start_time=time(0), end_time=time(3))
    )
    day = TariffElement(per_minute=D("0.20"))
    start = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    timeline = SessionTimeline(start=start, stop=start + timedelta(hours=3))
    result = price(tariff(night, day, timezone=BERLIN), timeline)
    assert quantities(result, LineKind.CHARGING_TIME) == {0: D(120), 1: D(60)}
    assert result.net == D("24.00")


def test_a_band_starting_in_the_skipped_hour_starts_when_the_clocks_jump():
    # Band 02:30-05:00 local; 02:30 does not exist on 2026-03-29 in Berlin. The first instant
    # at or after 02:30 local is the jump itself, 01:00Z (03:00 CEST).
    # Session 00:00Z (01:00 CET) to 02:00Z (04:00 CEST):
    # 00:00Z-01:00Z outside: 60 x 0.20 = 12.00; 01:00Z-02:00Z inside: 60 x 0.10 = 6.00
    band = TariffElement(
        per_minute=D("0.10"), restrictions=Restrictions(start_time=time(2, 30), end_time=time(5))
    )
    start = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    result = price(
        tariff(band, TariffElement(per_minute=D("0.20")), timezone=BERLIN),
        SessionTimeline(start=start, stop=start + timedelta(hours=2)),
    )
    assert quantities(result, LineKind.CHARGING_TIME) == {0: D(60), 1: D(60)}
    assert result.net == D("18.00")


def test_the_repeated_hour_is_billed_twice_when_clocks_go_back():
    # 2026-10-25 Berlin: 03:00 CEST becomes 02:00 CET at 01:00 UTC. Band 02:00-03:00 local.
    # Session 01:30 CEST (23:30Z) to 03:30 CET (02:30Z). Inside the band: 00:00Z-01:00Z
    # (02:00-03:00 CEST) and 01:00Z-02:00Z (02:00-03:00 CET): 120 min x 0.50 = 60.00;
    # outside 23:30Z-00:00Z and 02:00Z-02:30Z: 60 min x 0.10 = 6.00
    band = TariffElement(
        per_minute=D("0.50"), restrictions=Restrictions(start_time=time(2), end_time=time(3))
    )
    start = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    result = price(
        tariff(band, TariffElement(per_minute=D("0.10")), timezone=BERLIN),
        SessionTimeline(start=start, stop=start + timedelta(hours=3)),
    )
    assert quantities(result, LineKind.CHARGING_TIME) == {0: D(120), 1: D(60)}
    assert result.net == D("66.00")


def test_a_band_edge_inside_the_repeated_hour_is_crossed_twice():
    # Band 02:30-04:00 local on 2026-10-25 in Berlin (02:00-03:00 happens twice).
    # Session 23:30Z (01:30 CEST) to 02:30Z (03:30 CET):
    # 23:30Z-00:30Z 01:30-02:30 CEST out; 00:30Z-01:00Z 02:30-03:00 CEST in;
    # 01:00Z-01:30Z 02:00-02:30 CET out; 01:30Z-02:30Z 02:30-03:30 CET in.
    # in: 30 + 60 = 90 min x 0.50 = 45.00; out: 60 + 30 = 90 min x 0.10 = 9.00
    band = TariffElement(
        per_minute=D("0.50"), restrictions=Restrictions(start_time=time(2, 30), end_time=time(4))
    )
    start = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    result = price(
        tariff(band, TariffElement(per_minute=D("0.10")), timezone=BERLIN),
        SessionTimeline(start=start, stop=start + timedelta(hours=3)),
    )
    assert quantities(result, LineKind.CHARGING_TIME) == {0: D(90), 1: D(90)}
    assert result.net == D("54.00")


def test_a_power_band_follows_the_reported_power():
    # 10:00 120 kW (register 0), 10:30 40 kW (60000 Wh), 11:00 (80000 Wh).
    # fast (>= 50 kW): 60 kWh x 0.59 = 35.40; slow: 20 kWh x 0.39 = 7.80; net 43.20
    fast = TariffElement(per_kwh=D("0.59"), restrictions=Restrictions(min_power_kw=D(50)))
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    half = timedelta(minutes=30)
    readings = (
        MeterReading(start, D(0), D(120000)),
        MeterReading(start + half, D(60000), D(40000)),
        MeterReading(start + 2 * half, D(80000)),
    )
    result = price(
        tariff(fast, TariffElement(per_kwh=D("0.39"))),
        SessionTimeline(start=start, stop=start + 2 * half, readings=readings),
    )
    assert amounts(result, LineKind.ENERGY) == {0: D("35.40"), 1: D("7.80")}
    assert result.net == D("43.20")


def test_without_reported_power_the_band_follows_the_average_power():
    # The same registers without power: 60 kWh in 30 min is 120 kW, 20 kWh in 30 min 40 kW.
    fast = TariffElement(per_kwh=D("0.59"), restrictions=Restrictions(min_power_kw=D(50)))
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    half = timedelta(minutes=30)
    readings = (
        MeterReading(start, D(0)),
        MeterReading(start + half, D(60000)),
        MeterReading(start + 2 * half, D(80000)),
    )
    result = price(
        tariff(fast, TariffElement(per_kwh=D("0.39"))),
        SessionTimeline(start=start, stop=start + 2 * half, readings=readings),
    )
    assert amounts(result, LineKind.ENERGY) == {0: D("35.40"), 1: D("7.80")}


def test_an_energy_step_splits_energy_and_time_between_readings():
    # One hour, 0 -> 25000 Wh (one interval). First 10 kWh at 0.50/kWh and 0.10/min, the rest
    # at 0.30/kWh and 0.05/min. 10 of 25 kWh are reached after 10/25 x 60 = 24 min.
    # energy 10 x 0.50 = 5.00 + 15 x 0.30 = 4.50; time 24 x 0.10 = 2.40 + 36 x 0.05 = 1.80
    # net 13.70
    first = TariffElement(
        per_kwh=D("0.50"), per_minute=D("0.10"), restrictions=Restrictions(max_kwh=D(10))
    )
    rest = TariffElement(per_kwh=D("0.30"), per_minute=D("0.05"))
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    result = price(tariff(first, rest), steady(start, D(1), D(25)))
    assert quantities(result, LineKind.ENERGY) == {0: D(10), 1: D(15)}
    assert quantities(result, LineKind.CHARGING_TIME) == {0: D(24), 1: D(36)}
    assert result.net == D("13.70")


def test_a_duration_limit_changes_the_price_after_the_first_hour():
    # First hour 0.05/min, then 0.15/min; 90 minutes: 60 x 0.05 = 3.00 + 30 x 0.15 = 4.50
    first_hour = TariffElement(
        per_minute=D("0.05"), restrictions=Restrictions(max_duration=timedelta(hours=1))
    )
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    result = price(
        tariff(first_hour, TariffElement(per_minute=D("0.15"))),
        SessionTimeline(start=start, stop=start + timedelta(minutes=90)),
    )
    assert amounts(result, LineKind.CHARGING_TIME) == {0: D("3.00"), 1: D("4.50")}


def test_idle_time_is_free_during_the_grace_period_and_capped():
    # 1 h charging 10 kWh, then 60 min idle. Grace 15 min: 45 billable x 0.10 = 4.50, capped
    # at 3.00. energy 10 x 0.40 = 4.00; net 7.00
    element = TariffElement(
        per_kwh=D("0.40"), idle=IdlePrice(D("0.10"), grace_minutes=15, cap=D("3.00"))
    )
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    hour = timedelta(hours=1)
    timeline = SessionTimeline(
        start=start,
        stop=start + 2 * hour,
        readings=(MeterReading(start, D(0)), MeterReading(start + hour, D(10000))),
        states=(StateChange(start + hour, ChargeState.IDLE),),
    )
    result = price(tariff(element), timeline)
    (idle_line,) = [line for line in result.lines if line.kind is LineKind.IDLE_TIME]
    assert (idle_line.quantity, idle_line.amount, idle_line.capped) == (D(45), D("3.00"), True)
    assert result.idle_minutes == D(60)
    assert result.net == D("7.00")


def test_the_grace_period_counts_all_idle_time_of_the_session():
    # idle 10 min, charging 20 min, idle 20 min. Grace 15 min over the session's idle time:
    # the first idle period uses 10, the second 5 more; 15 min billed x 0.10 = 1.50
    element = TariffElement(idle=IdlePrice(D("0.10"), grace_minutes=15))
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    minutes = [timedelta(minutes=m) for m in (10, 30, 50)]
    timeline = SessionTimeline(
        start=start,
        stop=start + minutes[2],
        initial_state=ChargeState.IDLE,
        states=(
            StateChange(start + minutes[0], ChargeState.CHARGING),
            StateChange(start + minutes[1], ChargeState.IDLE),
        ),
    )
    result = price(tariff(element), timeline)
    assert quantities(result, LineKind.IDLE_TIME) == {0: D(15)}
    assert result.net == D("1.50")


def test_the_minimum_price_raises_a_small_session():
    # 5 kWh x 0.40 = 2.00 < 5.00: a minimum line of 3.00, net 5.00; VAT 0.95; total 5.95
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    result = price(
        tariff(TariffElement(per_kwh=D("0.40")), min_price=D("5.00"), max_price=D("20.00")),
        steady(start, D(1), D(5)),
    )
    assert amounts(result, LineKind.MINIMUM) == {None: D("3.00")}
    assert (result.adjustment, result.net, result.total) == (D("3.00"), D("5.00"), D("5.95"))


def test_the_maximum_price_caps_a_large_session_after_the_fee():
    # 60 kWh x 0.40 = 24.00 + fee 1.00 = 25.00 > 20.00: a maximum line of -5.00, net 20.00
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    result = price(
        tariff(TariffElement(per_kwh=D("0.40")), session_fee=D("1.00"), max_price=D("20.00")),
        steady(start, D(2), D(30)),
    )
    assert result.fees == D("1.00")
    assert amounts(result, LineKind.MAXIMUM) == {None: D("-5.00")}
    assert result.net == D("20.00")


def _two_halves(policy: RoundingPolicy, price_per_kwh: D) -> Tariff:
    evening = TariffElement(
        per_kwh=price_per_kwh, restrictions=Restrictions(start_time=time(22), end_time=time(6))
    )
    return tariff(evening, TariffElement(per_kwh=price_per_kwh), rounding=policy)


def test_rounding_per_line_rounds_each_element_half_up():
    # 21:00-23:00 UTC at 2.5 kW: 2.5 kWh per element x 0.45 = 1.125 each.
    # per line, half up: 1.13 + 1.13 = 2.26
    start = datetime(2026, 5, 4, 21, 0, tzinfo=UTC)
    result = price(_two_halves(RoundingPolicy(), D("0.45")), steady(start, D(2), D("2.5")))
    assert amounts(result, LineKind.ENERGY) == {0: D("1.13"), 1: D("1.13")}
    assert result.net == D("2.26")


def test_rounding_half_even_rounds_a_half_cent_to_the_even_cent():
    # the same lines, half even: 1.125 -> 1.12 each; net 2.24
    start = datetime(2026, 5, 4, 21, 0, tzinfo=UTC)
    policy = RoundingPolicy(mode=ROUND_HALF_EVEN)
    result = price(_two_halves(policy, D("0.45")), steady(start, D(2), D("2.5")))
    assert result.net == D("2.24")


def test_rounding_on_the_total_keeps_exact_lines_and_adds_a_rounding_line():
    # 2.5 kWh x 0.4456 = 1.114 per element; exact lines 1.114 + 1.114 = 2.228 -> 2.23 once;
    # a rounding line of 0.002 makes the lines add up to the net
    start = datetime(2026, 5, 4, 21, 0, tzinfo=UTC)
    policy = RoundingPolicy(per_line=False)
    result = price(_two_halves(policy, D("0.4456")), steady(start, D(2), D("2.5")))
    assert amounts(result, LineKind.ENERGY) == {0: D("1.114"), 1: D("1.114")}
    assert amounts(result, LineKind.ROUNDING) == {None: D("0.002")}
    assert result.net == D("2.23")
    assert sum(line.amount for line in result.lines) == result.net


def test_the_first_matching_element_with_a_dimension_supplies_it():
    # Element 0 (night) prices only energy; charging time at night falls through to element 1.
    # 21:00-23:00 UTC at 5 kW: energy 5 x 0.45 + 5 x 0.25 = 2.25 + 1.25; time 120 x 0.01
    night = TariffElement(
        per_kwh=D("0.25"), restrictions=Restrictions(start_time=time(22), end_time=time(6))
    )
    day = TariffElement(per_kwh=D("0.45"), per_minute=D("0.01"))
    start = datetime(2026, 5, 4, 21, 0, tzinfo=UTC)
    result = price(tariff(night, day), steady(start, D(2), D(5)))
    assert amounts(result, LineKind.ENERGY) == {0: D("1.25"), 1: D("2.25")}
    assert amounts(result, LineKind.CHARGING_TIME) == {1: D("1.20")}


def test_a_running_session_is_priced_as_of_a_time():
    # Started 10:00, readings until 10:30 (5 kWh), priced as of 10:45: 45 min x 0.02 = 0.90,
    # energy 5 x 0.40 = 2.00; not final
    start = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    timeline = SessionTimeline(
        start=start,
        as_of=start + timedelta(minutes=45),
        readings=(
            MeterReading(start, D(1000)),
            MeterReading(start + timedelta(minutes=30), D(6000)),
        ),
    )
    result = price(tariff(TariffElement(per_kwh=D("0.40"), per_minute=D("0.02"))), timeline)
    assert (result.energy, result.charging_time, result.final) == (D("2.00"), D("0.90"), False)
    assert result.priced_until == start + timedelta(minutes=45)
