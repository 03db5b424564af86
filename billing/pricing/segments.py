"""Cutting a clean timeline into segments on which everything the tariff looks at is constant.

A segment never straddles a reading, a state change, a local-time rule's edge (time of day,
midnight, DST change), a duration limit, an energy step or an idle grace period. Energy steps
and grace periods fall between readings, so those cuts are placed by linear interpolation: the
energy on either side of a step is exactly the step, and the time in between is shared in
proportion. Offsets are exact Decimal seconds, so nothing is lost to microsecond rounding.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from itertools import pairwise

from billing.pricing.clock import duration_cuts, energy_cuts, local_cuts
from billing.pricing.tariff import Tariff
from billing.pricing.timeline import ChargeState, CleanTimeline, Knot, offset_of

# Power bands compare the average power to the milliwatt: it is a quotient, and a band edge
# must not flip on its 40th digit when the same interval is cut at another point.
_POWER_QUANTUM = Decimal("0.000001")  # kW
_SECONDS_PER_HOUR = Decimal(3600)


@dataclass(frozen=True)
class Segment:
    begin: Decimal  # seconds after the start
    finish: Decimal
    energy_begin: Decimal  # Wh charged so far at `begin`
    energy_finish: Decimal
    state: ChargeState
    power_kw: Decimal
    idle_before: Decimal  # seconds of idle time in the session before `begin`
    at: datetime  # `begin` as an instant, floored to the microsecond, for local-time rules

    @property
    def seconds(self) -> Decimal:
        return self.finish - self.begin

    @property
    def energy_wh(self) -> Decimal:
        return self.energy_finish - self.energy_begin


def cut(tariff: Tariff, timeline: CleanTimeline) -> list[Segment]:
    """The timeline's segments, in order, covering it from its start to its end."""
    restrictions = [element.restrictions for element in tariff.elements]
    length = timeline.length
    cuts = {Decimal(0), length}
    cuts.update(knot.offset for knot in timeline.knots)
    cuts.update(offset for offset, _ in timeline.states)
    cuts.update(
        offset_of(timeline.start, moment)
        for moment in local_cuts(restrictions, tariff.zone, timeline.start, timeline.end)
    )
    cuts.update(duration_cuts(restrictions))
    points = sorted(c for c in cuts if 0 <= c <= length)
    knots = timeline.knots
    knot_offsets = [knot.offset for knot in knots]
    powers = [_power_kw(low, high) for low, high in pairwise(knots)]
    steps = energy_cuts(restrictions)

    pieces: list[tuple[Decimal, Decimal, Decimal, Decimal, ChargeState, Decimal]] = []
    for begin, finish in pairwise(points):
        index = min(bisect_right(knot_offsets, begin) - 1, len(knots) - 2)
        low, high = knots[index], knots[index + 1]
        state = timeline.state_at(begin)
        energy_begin, energy_finish = _energy_at(low, high, begin), _energy_at(low, high, finish)
        for step in steps:
            if energy_begin < step < energy_finish:
                share = (step - energy_begin) / (energy_finish - energy_begin)
                middle = begin + (finish - begin) * share
                if begin < middle < finish:
                    pieces.append((begin, middle, energy_begin, step, state, powers[index]))
                    begin, energy_begin = middle, step
        pieces.append((begin, finish, energy_begin, energy_finish, state, powers[index]))
    return _split_idle(tariff, timeline, pieces)


def _split_idle(
    tariff: Tariff,
    timeline: CleanTimeline,
    pieces: list[tuple[Decimal, Decimal, Decimal, Decimal, ChargeState, Decimal]],
) -> list[Segment]:
    graces = sorted(
        {
            Decimal(element.idle.grace_minutes * 60)
            for element in tariff.elements
            if element.idle is not None and element.idle.grace_minutes
        }
    )
    segments: list[Segment] = []
    idle = Decimal(0)
    for begin, finish, energy_begin, energy_finish, state, power in pieces:
        bounds = [begin, finish]
        if state is ChargeState.IDLE:
            crossed = [g for g in graces if idle < g < idle + (finish - begin)]
            bounds[1:1] = [begin + grace - idle for grace in crossed]
        for low, high in pairwise(bounds):
            share = (low - begin) / (finish - begin)
            e_low = energy_begin + (energy_finish - energy_begin) * share
            share = (high - begin) / (finish - begin)
            e_high = energy_begin + (energy_finish - energy_begin) * share
            segments.append(
                Segment(low, high, e_low, e_high, state, power, idle, _instant(timeline, low))
            )
            if state is ChargeState.IDLE:
                idle += high - low
    return segments


def _energy_at(low: Knot, high: Knot, offset: Decimal) -> Decimal:
    if offset == high.offset:
        return high.energy_wh
    share = (offset - low.offset) / (high.offset - low.offset)
    return low.energy_wh + (high.energy_wh - low.energy_wh) * share


def _power_kw(low: Knot, high: Knot) -> Decimal:
    """The power reported by the reading that opens the interval, else its average power."""
    if low.power_w is not None:
        return (low.power_w / 1000).quantize(_POWER_QUANTUM)
    seconds = high.offset - low.offset
    average = (high.energy_wh - low.energy_wh) / 1000 * _SECONDS_PER_HOUR / seconds
    return average.quantize(_POWER_QUANTUM)


def _instant(timeline: CleanTimeline, offset: Decimal) -> datetime:
    micros = int(offset.scaleb(6).to_integral_value(rounding=ROUND_FLOOR))
    return timeline.start + timedelta(microseconds=micros)
