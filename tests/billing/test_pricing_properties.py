"""Properties of the pricing engine over generated tariffs and sessions (hypothesis).

Sessions start near the moments that break naive code: both DST changes in Berlin and New
York, Lord Howe Island's half-hour DST, and local midnights. The band properties compare the
engine with a brute-force oracle written here, minute by minute or reading by reading.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP
from decimal import Decimal as D
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

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

MODEST = settings(max_examples=200, deadline=None)

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]
# (zone, instant): the zone's clocks change at that instant, or it is a local midnight.
DST_CHANGES = [
    ("Europe/Berlin", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # 02:00 -> 03:00
    ("Europe/Berlin", datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),  # 03:00 -> 02:00
    ("America/New_York", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),  # 02:00 -> 03:00
    ("America/New_York", datetime(2026, 11, 1, 6, 0, tzinfo=UTC)),  # 02:00 -> 01:00
    ("Australia/Lord_Howe", datetime(2026, 4, 4, 15, 0, tzinfo=UTC)),  # 02:00 -> 01:30
    ("Australia/Lord_Howe", datetime(2026, 10, 3, 15, 30, tzinfo=UTC)),  # 02:00 -> 02:30
]
MIDNIGHTS = [
    ("UTC", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
    ("Europe/Berlin", datetime(2026, 12, 31, 23, 0, tzinfo=UTC)),
]
ANCHORS = [instant for _, instant in DST_CHANGES + MIDNIGHTS]
POWERS_W = st.sampled_from([0, 3700, 11000, 22000, 50000, 150000])
MAYBE_POWERS_W = st.none() | POWERS_W
PRICES = st.sampled_from(["0", "0.05", "0.1234", "0.39", "0.45", "1.5"]).map(D)
# Biased to the small hours, where the clocks change.
WALL_TIMES = st.builds(
    time, st.sampled_from([1, 2, 3]) | st.integers(0, 23), st.sampled_from([0, 7, 15, 30, 45])
)


@st.composite
def starts(draw) -> datetime:
    anchor = draw(st.sampled_from(ANCHORS))
    return anchor + timedelta(minutes=draw(st.integers(-36 * 60, 12 * 60)))


@st.composite
def pairs(draw, values):
    """An optional (low, high) pair with low < high; either side may be None."""
    low, high = draw(st.none() | values), draw(st.none() | values)
    if low is not None and high is not None:
        if low == high:
            return None, None
        low, high = min(low, high), max(low, high)
    return low, high


RARELY = st.sampled_from([False, False, False, True])


@st.composite
def calendar_restrictions(draw) -> Restrictions:
    """Restrictions on local time only: mostly a time of day, sometimes weekdays, dates or a
    session duration too (each one that is set narrows the band, and a band that never holds
    tests nothing)."""
    start_time, end_time = draw(st.none() | WALL_TIMES), draw(st.none() | WALL_TIMES)
    if start_time == end_time:
        end_time = None
    days = frozenset()
    if draw(RARELY):
        days = draw(st.frozensets(st.sampled_from(list(Weekday)), min_size=1, max_size=5))
    start_date = end_date = shortest = longest = None
    if draw(RARELY):
        start_date, end_date = draw(pairs(st.dates(date(2026, 1, 1), date(2027, 1, 31))))
    if draw(RARELY):
        minutes = st.integers(0, 36 * 60).map(lambda m: timedelta(minutes=m))
        shortest, longest = draw(pairs(minutes))
    return Restrictions(
        start_time=start_time,
        end_time=end_time,
        days_of_week=days,
        start_date=start_date,
        end_date=end_date,
        min_duration=shortest,
        max_duration=longest,
    )


@st.composite
def restrictions(draw) -> Restrictions:
    base = draw(calendar_restrictions())
    min_power, max_power = draw(pairs(st.sampled_from([D(0), D(11), D(22), D(50), D(150)])))
    min_kwh, max_kwh = draw(pairs(st.sampled_from([D(0), D("2.5"), D(10), D(30)])))
    return replace(
        base, min_power_kw=min_power, max_power_kw=max_power, min_kwh=min_kwh, max_kwh=max_kwh
    )


@st.composite
def elements(draw) -> TariffElement:
    per_kwh, per_minute = draw(st.none() | PRICES), draw(st.none() | PRICES)
    idle = draw(
        st.none()
        | st.builds(
            IdlePrice,
            per_minute=PRICES,
            grace_minutes=st.sampled_from([0, 10, 15, 60]),
            cap=st.sampled_from([None, D(1), D(3)]),
        )
    )
    if per_kwh is None and per_minute is None and idle is None:
        per_kwh = D("0.30")
    return TariffElement(
        per_kwh, per_minute, idle, draw(st.none() | restrictions()) or Restrictions()
    )


@st.composite
def tariffs(draw) -> Tariff:
    low, high = draw(pairs(st.sampled_from([D(1), D(5), D(10), D(100)])))
    return Tariff(
        id="T",
        currency="EUR",
        vat_rate=draw(st.sampled_from(["0", "0.07", "0.19", "0.2"]).map(D)),
        timezone=draw(st.sampled_from(ZONES)),
        elements=tuple(draw(st.lists(elements(), min_size=1, max_size=4))),
        session_fee=draw(st.sampled_from([D(0), D(1), D(2)])),
        min_price=low,
        max_price=high,
        rounding=RoundingPolicy(
            places=draw(st.integers(0, 3)),
            mode=draw(st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_UP, ROUND_DOWN])),
            per_line=draw(st.booleans()),
        ),
    )


@st.composite
def timelines(draw, *, powers=MAYBE_POWERS_W):
    """A finished session with a rising register (readings at whole seconds)."""
    start = draw(starts())
    length = draw(st.integers(1, 48 * 3600))
    offsets = sorted(draw(st.sets(st.integers(0, length), max_size=12)))
    register = draw(st.integers(0, 10**6))
    readings = []
    for offset in offsets:
        register += draw(st.integers(0, 40000))
        power = draw(powers)
        readings.append(
            MeterReading(
                start + timedelta(seconds=offset),
                D(register),
                None if power is None else D(power),
            )
        )
    changes = sorted(draw(st.sets(st.integers(0, length), max_size=6)))
    states = [
        StateChange(start + timedelta(seconds=offset), draw(st.sampled_from(list(ChargeState))))
        for offset in changes
    ]
    return SessionTimeline(
        start=start,
        stop=start + timedelta(seconds=length),
        readings=tuple(readings),
        states=tuple(states),
    )


@MODEST
@given(tariffs(), timelines())
def test_the_lines_add_up_to_the_total_and_min_and_max_are_honoured(tariff, timeline):
    result = price(tariff, timeline)
    policy = tariff.rounding
    assert sum(line.amount for line in result.lines) == result.net
    assert result.net + result.vat == result.total
    assert result.vat == policy.round(result.net * tariff.vat_rate)
    subtotals = (
        result.energy,
        result.charging_time,
        result.idle_time,
        result.fees,
        result.adjustment,
        result.rounding,
    )
    assert sum(subtotals) == result.net
    assert policy.fits(result.net)
    if policy.per_line:
        assert all(policy.fits(line.amount) for line in result.lines)
    assert result.net >= 0
    if tariff.min_price is not None:
        assert result.net >= tariff.min_price
    if tariff.max_price is not None:
        assert result.net <= tariff.max_price
    adjusted = [line for line in result.lines if line.kind in {LineKind.MINIMUM, LineKind.MAXIMUM}]
    assert len(adjusted) <= 1


@MODEST
@given(tariffs(), timelines(), st.lists(st.floats(0, 1), min_size=2, max_size=4))
def test_the_cost_never_decreases_as_the_session_goes_on(tariff, timeline, shares):
    length = timeline.stop - timeline.start
    moments = sorted(timeline.start + length * share for share in shares)
    moments = [m.replace(microsecond=0) if m > timeline.start else m for m in moments]
    costs = [price(tariff, timeline.until(moment)) for moment in sorted(moments)]
    costs.append(price(tariff, timeline))
    for earlier, later in pairwise(costs):
        assert earlier.net <= later.net
        assert earlier.total <= later.total
        assert earlier.energy_kwh <= later.energy_kwh
        assert earlier.charging_minutes + earlier.idle_minutes <= (
            later.charging_minutes + later.idle_minutes
        )
        for line in earlier.lines:
            if line.kind in {LineKind.ENERGY, LineKind.CHARGING_TIME, LineKind.IDLE_TIME}:
                (match,) = [
                    b for b in later.lines if (b.kind, b.element) == (line.kind, line.element)
                ]
                assert line.amount <= match.amount


@MODEST
@given(tariffs(), timelines(), st.randoms(use_true_random=False))
def test_pricing_a_finished_session_again_in_any_order_gives_the_same_cost(
    tariff, timeline, shuffler
):
    first = price(tariff, timeline)
    assert price(tariff, timeline) == first
    readings, states = list(timeline.readings), list(timeline.states)
    shuffler.shuffle(readings)
    shuffler.shuffle(states)
    shuffled = price(tariff, replace(timeline, readings=tuple(readings), states=tuple(states)))
    assert (shuffled.lines, shuffled.total) == (first.lines, first.total)


# --- bands split exactly at their boundaries -----------------------------------------------


def _holds_at_minute(r: Restrictions, local: datetime, elapsed: int) -> bool:
    """The oracle's own reading of a calendar restriction, at a whole local minute."""
    minute = local.hour * 60 + local.minute
    if r.start_time is not None or r.end_time is not None:
        begin = 0 if r.start_time is None else r.start_time.hour * 60 + r.start_time.minute
        end = 24 * 60 if r.end_time is None else r.end_time.hour * 60 + r.end_time.minute
        end = end or 24 * 60
        inside = begin <= minute < end if begin < end else (minute >= begin or minute < end)
        if not inside:
            return False
    if r.days_of_week and Weekday(local.isoweekday()) not in r.days_of_week:
        return False
    if r.start_date is not None and local.date() < r.start_date:
        return False
    if r.end_date is not None and local.date() >= r.end_date:
        return False
    if r.min_duration is not None and elapsed < r.min_duration // timedelta(minutes=1):
        return False
    return r.max_duration is None or elapsed < r.max_duration // timedelta(minutes=1)


@MODEST
@given(
    st.lists(calendar_restrictions(), min_size=1, max_size=3),
    st.sampled_from(DST_CHANGES + MIDNIGHTS),
    st.integers(0, 12 * 60),
    st.integers(1, 36 * 60),
)
def test_time_bands_split_exactly_at_local_midnight_dst_and_duration_edges(
    bands, place, lead, minutes
):
    zone_name, anchor = place
    start = anchor - timedelta(minutes=lead)
    banded = [
        TariffElement(per_minute=D(index + 1), restrictions=r) for index, r in enumerate(bands)
    ]
    tariff = Tariff(
        id="T",
        currency="EUR",
        vat_rate=D(0),
        timezone=zone_name,
        elements=(*banded, TariffElement(per_minute=D(9))),
    )
    timeline = SessionTimeline(start=start, stop=start + timedelta(minutes=minutes))
    zone = ZoneInfo(zone_name)
    expected: dict[int, int] = {}
    for elapsed in range(minutes):
        local = (start + timedelta(minutes=elapsed)).astimezone(zone)
        index = next(
            (i for i, r in enumerate(bands) if _holds_at_minute(r, local, elapsed)), len(bands)
        )
        expected[index] = expected.get(index, 0) + 1
    result = price(tariff, timeline)
    got = {line.element: line.quantity for line in result.lines}
    assert got == {index: D(count) for index, count in expected.items()}


@MODEST
@given(timelines(powers=st.none()), st.sampled_from([D(0), D("2.5"), D(10)]), st.integers(1, 30))
def test_energy_steps_split_exactly_at_their_thresholds(timeline, low, width):
    high = low + width
    tariff = Tariff(
        id="T",
        currency="EUR",
        vat_rate=D(0),
        elements=(
            TariffElement(per_kwh=D(1), restrictions=Restrictions(max_kwh=low)),
            TariffElement(per_kwh=D(2), restrictions=Restrictions(min_kwh=low, max_kwh=high)),
            TariffElement(per_kwh=D(3)),
        ),
    )
    result = price(tariff, timeline)
    total = result.energy_kwh
    expected = {
        0: min(total, low),
        1: min(max(total - low, D(0)), high - low),
        2: max(total - high, D(0)),
    }
    got = {line.element: line.quantity for line in result.lines}
    assert got == {index: kwh for index, kwh in expected.items() if kwh}


@MODEST
@given(timelines(powers=POWERS_W))
def test_power_bands_split_exactly_at_the_readings(timeline):
    tariff = Tariff(
        id="T",
        currency="EUR",
        vat_rate=D(0),
        elements=(
            TariffElement(per_kwh=D(1), restrictions=Restrictions(min_power_kw=D(50))),
            TariffElement(per_kwh=D(2), restrictions=Restrictions(max_power_kw=D(11))),
            TariffElement(per_kwh=D(3)),
        ),
    )
    expected = {0: D(0), 1: D(0), 2: D(0)}
    readings = timeline.readings
    for opening, closing in pairwise(readings):
        assert opening.power_w is not None
        band = 0 if opening.power_w >= 50000 else 1 if opening.power_w < 11000 else 2
        expected[band] += (closing.register_wh - opening.register_wh) / 1000
    got = {line.element: line.quantity for line in price(tariff, timeline).lines}
    assert got == {index: kwh for index, kwh in expected.items() if kwh}


def test_every_dst_anchor_of_the_generators_is_a_real_clock_change():
    for name, anchor in DST_CHANGES:
        zone = ZoneInfo(name)
        before = (anchor - timedelta(seconds=1)).astimezone(zone).utcoffset()
        assert before != anchor.astimezone(zone).utcoffset(), (name, anchor)
