"""Local time for the tariff's rules: where a session must be cut, and whether a rule holds.

A restriction on the time of day, the weekday or the date holds at an instant when the
instant's *local wall time* in the tariff's zone satisfies it. Wall time jumps at DST changes,
so the cuts are: every rule's local start and end time on every local day the session touches
(both readings of an ambiguous time, when clocks go back), local midnight (weekday and date
rules), and each UTC-offset change itself (so a rule starting inside the skipped hour starts
when the clocks jump past it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from billing.pricing.tariff import Restrictions
from billing.pricing.timeline import seconds_of

_DAY = timedelta(days=1)


def local_cuts(
    restrictions: Iterable[Restrictions], zone: ZoneInfo, start: datetime, end: datetime
) -> list[datetime]:
    """Aware UTC instants in (start, end) where some restriction's local-time status may flip."""
    wall_times = {time(0)}
    for restriction in restrictions:
        wall_times.update(t for t in (restriction.start_time, restriction.end_time) if t)
    first = start.astimezone(zone).date() - _DAY
    last = end.astimezone(zone).date() + _DAY
    cuts: set[datetime] = set()
    day = first
    while day <= last:
        for wall in wall_times:
            for fold in (0, 1):
                local = datetime.combine(day, wall, tzinfo=zone).replace(fold=fold)
                cuts.add(local.astimezone(UTC))
        transition = _offset_change(zone, day)
        if transition is not None:
            cuts.add(transition)
        day += _DAY
    return sorted(cut for cut in cuts if start < cut < end)


def _offset_change(zone: ZoneInfo, day: date) -> datetime | None:
    """The instant the zone's UTC offset changes during local `day`, if it does."""
    low = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    high = datetime.combine(day + _DAY, time(0), tzinfo=zone).astimezone(UTC)
    if low.astimezone(zone).utcoffset() == high.astimezone(zone).utcoffset():
        return None
    # Offsets change on a whole second: bisect to it (about 17 steps for one day).
    target = high.astimezone(zone).utcoffset()
    low_s, high_s = int(low.timestamp()), int(high.timestamp())
    while high_s - low_s > 1:
        middle = (low_s + high_s) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == target:
            high_s = middle
        else:
            low_s = middle
    return datetime.fromtimestamp(high_s, UTC)


def holds(
    restrictions: Restrictions,
    *,
    local: datetime,
    elapsed_s: Decimal,
    energy_wh: Decimal,
    power_kw: Decimal,
) -> bool:
    """Whether `restrictions` hold at an instant: `local` wall time in the tariff's zone,
    `elapsed_s` since the session started, `energy_wh` charged so far, `power_kw` charging."""
    r = restrictions
    if (r.start_time or r.end_time) and not _in_window(r.start_time, r.end_time, local.time()):
        return False
    if r.days_of_week and local.isoweekday() not in r.days_of_week:
        return False
    if r.start_date is not None and local.date() < r.start_date:
        return False
    if r.end_date is not None and local.date() >= r.end_date:
        return False
    checks = (
        (r.min_power_kw, r.max_power_kw, power_kw),
        (
            None if r.min_kwh is None else r.min_kwh * 1000,
            None if r.max_kwh is None else r.max_kwh * 1000,
            energy_wh,
        ),
        (
            None if r.min_duration is None else seconds_of(r.min_duration),
            None if r.max_duration is None else seconds_of(r.max_duration),
            elapsed_s,
        ),
    )
    return all(
        (low is None or value >= low) and (high is None or value < high)
        for low, high, value in checks
    )


def _in_window(start: time | None, end: time | None, wall: time) -> bool:
    begin = start or time(0)
    if end is None or end == time(0):  # 00:00 as an end is the end of the day
        return wall >= begin
    if begin < end:
        return begin <= wall < end
    return wall >= begin or wall < end  # wraps past midnight


def duration_cuts(restrictions: Iterable[Restrictions]) -> set[Decimal]:
    """Seconds after the start where a duration restriction begins or ends."""
    return {
        seconds_of(limit)
        for r in restrictions
        for limit in (r.min_duration, r.max_duration)
        if limit is not None
    }


def energy_cuts(restrictions: Iterable[Restrictions]) -> list[Decimal]:
    """Energies (Wh) where an energy step begins or ends."""
    limits = {limit for r in restrictions for limit in (r.min_kwh, r.max_kwh) if limit is not None}
    return sorted(limit * 1000 for limit in limits)
