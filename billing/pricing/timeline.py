"""A session's timeline (the engine's input) and its cleaning into knots and states.

The caller hands what it knows: start, stop (None while running, with `as_of` for a live
cost), the energy register's readings and the charging/idle state changes, in any order.
`clean()` turns that into what the engine prices and reports every oddity it met instead of
refusing the session: a charger's odd data must still be billed, and the operator must see why.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

_MICROSECOND = timedelta(microseconds=1)


class InvalidTimeline(ValueError):
    """A timeline that cannot be priced at all (naive times, stop before start, no end)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ChargeState(StrEnum):
    CHARGING = "charging"
    IDLE = "idle"  # plugged in, not charging


@dataclass(frozen=True)
class MeterReading:
    """The cumulative energy register (Wh) at `at`, with the power (W) if the charger sent it."""

    at: datetime
    register_wh: Decimal
    power_w: Decimal | None = None


@dataclass(frozen=True)
class StateChange:
    at: datetime
    state: ChargeState


@dataclass(frozen=True)
class SessionTimeline:
    """A session as the engine sees it. All datetimes are aware.

    A finished session has `stop`; a running one has `stop=None` and is priced up to `as_of`.
    With both, the session is priced up to the earlier of the two (its cost at `as_of`).
    The session starts in `initial_state` unless a state change at or before `start` says
    otherwise.
    """

    start: datetime
    stop: datetime | None = None
    readings: tuple[MeterReading, ...] = ()
    states: tuple[StateChange, ...] = ()
    as_of: datetime | None = None
    initial_state: ChargeState = ChargeState.CHARGING

    def __post_init__(self) -> None:
        moments = [self.start, self.stop, self.as_of]
        moments += [r.at for r in self.readings] + [s.at for s in self.states]
        if any(m is not None and m.utcoffset() is None for m in moments):
            raise InvalidTimeline("Every time of a session must carry its time zone.")
        if self.stop is None and self.as_of is None:
            raise InvalidTimeline("A running session is priced as of a time: give as_of.")
        if self.stop is not None and self.stop < self.start:
            raise InvalidTimeline("The session stops before it starts.")
        if self.as_of is not None and self.as_of < self.start:
            raise InvalidTimeline("A session cannot be priced as of before its start.")
        for reading in self.readings:
            values = [reading.register_wh] + ([] if reading.power_w is None else [reading.power_w])
            if not all(isinstance(v, Decimal) and v.is_finite() for v in values):
                raise InvalidTimeline("Meter readings must be finite Decimals.")

    @property
    def end(self) -> datetime:
        """Where pricing stops: the stop, or `as_of` if that comes first or the session runs."""
        if self.stop is None or (self.as_of is not None and self.as_of < self.stop):
            if self.as_of is None:
                raise InvalidTimeline("A running session is priced as of a time: give as_of.")
            return self.as_of
        return self.stop

    @property
    def is_final(self) -> bool:
        return self.stop is not None and self.end == self.stop

    def until(self, at: datetime) -> SessionTimeline:
        """The same session as it was known at `at`: readings up to `at`, and one at `at`
        interpolated between its neighbours (with the earlier one's power), so that the cost
        at `at` is exactly the first part of the whole session's cost."""
        before = sorted((r for r in self.readings if r.at <= at), key=lambda r: r.at)
        after = sorted((r for r in self.readings if r.at > at), key=lambda r: r.at)
        if before and after and before[-1].at < at:
            low, high = before[-1], after[0]
            share = seconds_of(at - low.at) / seconds_of(high.at - low.at)
            register = low.register_wh + (high.register_wh - low.register_wh) * share
            before.append(MeterReading(at, register, low.power_w))
        running = self.stop is None or at < self.stop
        return replace(
            self,
            stop=None if running else self.stop,
            as_of=at,
            readings=tuple(before),
            states=tuple(s for s in self.states if s.at <= at),
        )


class OddityKind(StrEnum):
    UNSORTED = "unsorted"
    DUPLICATE_READING = "duplicate_reading"
    READING_BEFORE_START = "reading_before_start"
    READING_AFTER_STOP = "reading_after_stop"
    STATE_AFTER_STOP = "state_after_stop"
    REGISTER_RESET = "register_reset"
    REGISTER_GLITCH = "register_glitch"
    NO_READING_AT_START = "no_reading_at_start"
    NO_READINGS = "no_readings"


@dataclass(frozen=True)
class Oddity:
    """Something odd in the data, what the engine did about it, for the operator to see."""

    kind: OddityKind
    at: datetime
    detail: str


@dataclass(frozen=True)
class Knot:
    """A point of the session's energy curve: `offset` seconds after the start, `energy_wh`
    charged so far (already cleaned), the power the charger reported there, if any."""

    offset: Decimal
    energy_wh: Decimal
    power_w: Decimal | None


@dataclass(frozen=True)
class CleanTimeline:
    """The timeline ready to price: knots from offset 0 to `length`, and the state periods."""

    start: datetime
    end: datetime
    length: Decimal  # seconds
    knots: tuple[Knot, ...]
    states: tuple[tuple[Decimal, ChargeState], ...]  # (offset, state), the first at 0
    oddities: tuple[Oddity, ...]

    def state_at(self, offset: Decimal) -> ChargeState:
        index = bisect_right([o for o, _ in self.states], offset) - 1
        return self.states[max(index, 0)][1]


def offset_of(start: datetime, moment: datetime) -> Decimal:
    """Exact seconds from `start` to `moment` (datetimes have microsecond resolution)."""
    return seconds_of(moment - start)


def seconds_of(delta: timedelta) -> Decimal:
    """A duration as exact Decimal seconds."""
    return Decimal(delta // _MICROSECOND).scaleb(-6)


def clean(timeline: SessionTimeline) -> CleanTimeline:
    """Sort, filter and repair the timeline; every repair is reported as an `Oddity`."""
    oddities: list[Oddity] = []
    start, end = timeline.start, timeline.end
    readings = _readings_in_session(timeline, oddities)
    knots = _energy_knots(timeline, readings, oddities)
    length = offset_of(start, end)
    if knots[-1].offset < length:
        # After the last reading nothing more is known to have been charged.
        knots.append(Knot(length, knots[-1].energy_wh, None))
    states = _state_periods(timeline, oddities)
    return CleanTimeline(start, end, length, tuple(knots), states, tuple(oddities))


def _readings_in_session(timeline: SessionTimeline, oddities: list[Oddity]) -> list[MeterReading]:
    start, stop, end = timeline.start, timeline.stop, timeline.end
    ordered = sorted(timeline.readings, key=lambda r: r.at)
    if ordered != list(timeline.readings):
        oddities.append(Oddity(OddityKind.UNSORTED, start, "Meter readings were sorted by time."))
    kept: list[MeterReading] = []
    # A charger's clock may stamp the meter start a little before the session: the last
    # reading before the start is the register at the start, unless one is stamped there.
    has_start = any(r.at == start for r in ordered)
    before = [r for r in ordered if r.at < start]
    for reading in before:
        used = reading is before[-1] and not has_start
        detail = "taken as the register at the start" if used else "ignored"
        oddities.append(
            Oddity(OddityKind.READING_BEFORE_START, reading.at, f"Reading before start {detail}.")
        )
    if before and not has_start:
        kept.append(replace(before[-1], at=start))
    for reading in ordered:
        if reading.at < start:
            continue
        if stop is not None and reading.at > stop:
            oddities.append(
                Oddity(OddityKind.READING_AFTER_STOP, reading.at, "Reading after the stop ignored.")
            )
            continue
        if reading.at > end:
            continue  # not yet known at as_of
        if kept and kept[-1].at == reading.at:
            if kept[-1].register_wh != reading.register_wh:
                oddities.append(
                    Oddity(
                        OddityKind.DUPLICATE_READING,
                        reading.at,
                        "Two readings at one time: the higher register kept.",
                    )
                )
            if reading.register_wh > kept[-1].register_wh:
                kept[-1] = reading
            continue
        kept.append(reading)
    return kept


def _energy_knots(
    timeline: SessionTimeline, readings: list[MeterReading], oddities: list[Oddity]
) -> list[Knot]:
    start = timeline.start
    knots: list[Knot] = []
    if not readings:
        oddities.append(Oddity(OddityKind.NO_READINGS, start, "No meter readings: no energy."))
    elif readings[0].at > start:
        oddities.append(
            Oddity(
                OddityKind.NO_READING_AT_START,
                readings[0].at,
                "No register at the start: energy counted from the first reading.",
            )
        )
    if not readings or readings[0].at > start:
        knots.append(Knot(Decimal(0), Decimal(0), None))
    energy = Decimal(0)
    previous: Decimal | None = None
    for index, reading in enumerate(readings):
        register = reading.register_wh
        if previous is not None and register < previous:
            following = readings[index + 1] if index + 1 < len(readings) else None
            if following is not None and following.register_wh >= previous:
                # One low value between two that go on from where the register was: a glitch.
                oddities.append(
                    Oddity(
                        OddityKind.REGISTER_GLITCH,
                        reading.at,
                        f"Register fell to {register} Wh and came back: reading ignored.",
                    )
                )
                continue
            oddities.append(
                Oddity(
                    OddityKind.REGISTER_RESET,
                    reading.at,
                    f"Register went back from {previous} to {register} Wh: counted as a reset, "
                    "no energy for that step.",
                )
            )
        elif previous is not None:
            energy += register - previous
        previous = register
        knots.append(Knot(offset_of(start, reading.at), energy, reading.power_w))
    return knots


def _state_periods(
    timeline: SessionTimeline, oddities: list[Oddity]
) -> tuple[tuple[Decimal, ChargeState], ...]:
    start, stop, end = timeline.start, timeline.stop, timeline.end
    ordered = sorted(timeline.states, key=lambda s: s.at)
    if ordered != list(timeline.states):
        oddities.append(Oddity(OddityKind.UNSORTED, start, "State changes were sorted by time."))
    periods: list[tuple[Decimal, ChargeState]] = [(Decimal(0), timeline.initial_state)]
    for change in ordered:
        if stop is not None and change.at > stop:
            oddities.append(
                Oddity(OddityKind.STATE_AFTER_STOP, change.at, "State change after the stop.")
            )
            continue
        if change.at > end:
            continue
        offset = max(offset_of(start, change.at), Decimal(0))
        if periods[-1][0] == offset:
            periods[-1] = (offset, change.state)
        elif periods[-1][1] != change.state:
            periods.append((offset, change.state))
    # Merging a same-offset change can leave two equal neighbours.
    merged = [periods[0]]
    for period in periods[1:]:
        if period[1] != merged[-1][1]:
            merged.append(period)
    return tuple(merged)
