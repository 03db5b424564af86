"""The tariff: what a session costs, as frozen dataclasses.

The model follows OCPI 2.2.1's Tariff (TariffElement, PriceComponent, TariffRestrictions): a
tariff holds ordered elements; each element has prices for some dimensions (energy, charging
time, idle time) and restrictions that say when it is active. For every instant and every kWh
of a session, the *first* active element that prices a dimension supplies that dimension's
price (docs/billing.md, "Matching"). On top of OCPI we keep the VAT rate, the time zone of the
time-of-day rules, a rounding policy, a flat session fee, a minimum and a maximum price.

Money is a plain `Decimal` next to the tariff's ISO 4217 currency code (STYLE 22); prices are
net (excluding VAT). Every constructor validates and raises `InvalidTariff`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from enum import IntEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROUNDING_MODES = frozenset(
    {
        ROUND_HALF_UP,
        ROUND_HALF_EVEN,
        ROUND_HALF_DOWN,
        ROUND_UP,
        ROUND_DOWN,
        ROUND_CEILING,
        ROUND_FLOOR,
    }
)
_CURRENCY = re.compile(r"[A-Z]{3}")
# OCPI 2.2.1 Tariff.id is string(36); OCPP 2.1 tariffId allows 60.
_MAX_ID_LENGTH = 36


class InvalidTariff(ValueError):
    """A tariff that cannot price a session; `message` says why, for the operator's form."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Weekday(IntEnum):
    """ISO weekday numbers, as `date.isoweekday()` returns them."""

    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7


@dataclass(frozen=True)
class RoundingPolicy:
    """How amounts are rounded.

    `places` decimals (2 for EUR, 0 for JPY) with `mode`, one of `decimal`'s rounding constants
    (`ROUND_HALF_UP` by default). With `per_line` (the default) each line of the breakdown (one
    element's energy, charging time or idle time) is rounded and the net is their sum. Without
    it the lines keep 8 decimals, the net is rounded once and the difference is a `rounding`
    line, so the lines still add up to the net exactly. VAT is always rounded once, on the net.
    """

    places: int = 2
    mode: str = ROUND_HALF_UP
    per_line: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.places <= 4:
            raise InvalidTariff("Amounts are rounded to between 0 and 4 decimals.")
        if self.mode not in ROUNDING_MODES:
            raise InvalidTariff(f"Unknown rounding mode {self.mode!r}.")

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.places)

    def round(self, amount: Decimal) -> Decimal:
        return amount.quantize(self.quantum, rounding=self.mode)

    def fits(self, amount: Decimal) -> bool:
        """Whether `amount` has no more decimals than the policy rounds to."""
        return amount == self.round(amount)


@dataclass(frozen=True)
class IdlePrice:
    """Price per minute of idle time (plugged in, not charging).

    The first `grace_minutes` of the session's idle time (all idle periods together) are free.
    `cap` limits what this element's idle line can reach over the whole session.
    """

    per_minute: Decimal
    grace_minutes: int = 0
    cap: Decimal | None = None

    def __post_init__(self) -> None:
        _check_amount(self.per_minute, "The idle price")
        if isinstance(self.grace_minutes, bool) or not isinstance(self.grace_minutes, int):
            raise InvalidTariff("The idle grace period is a whole number of minutes.")
        if self.grace_minutes < 0:
            raise InvalidTariff("The idle grace period cannot be negative.")
        if self.cap is not None:
            _check_amount(self.cap, "The idle fee cap")


@dataclass(frozen=True)
class Restrictions:
    """When an element is active. All set restrictions must hold (a logical AND).

    Times of day and dates are local to the tariff's time zone. Every lower bound is inclusive
    and every upper bound exclusive, as in OCPI 2.2.1:
    - `start_time`/`end_time`: time of day; an end before the start wraps past midnight, an
      end of 00:00 means the end of the day;
    - `days_of_week`: the local weekday of the instant (empty: every day);
    - `start_date`/`end_date`: local dates;
    - `min_power_kw`/`max_power_kw`: the charging power at that moment;
    - `min_kwh`/`max_kwh`: the energy charged so far in the session;
    - `min_duration`/`max_duration`: the time since the session started.
    """

    start_time: time | None = None
    end_time: time | None = None
    days_of_week: frozenset[Weekday] = frozenset()
    start_date: date | None = None
    end_date: date | None = None
    min_power_kw: Decimal | None = None
    max_power_kw: Decimal | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_duration: timedelta | None = None
    max_duration: timedelta | None = None

    def __post_init__(self) -> None:
        for name in ("start_time", "end_time"):
            value = getattr(self, name)
            if value is not None and (value.second or value.microsecond or value.tzinfo):
                raise InvalidTariff("Times of day are local hours and minutes (HH:MM).")
        if (
            self.start_time is not None
            and self.end_time is not None
            and self.start_time == self.end_time
            and self.start_time != time(0)
        ):
            raise InvalidTariff("A time-of-day window needs different start and end times.")
        if not all(isinstance(day, Weekday) for day in self.days_of_week):
            raise InvalidTariff("Days of week are Weekday values.")
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise InvalidTariff("The end date (exclusive) must come after the start date.")
        for low, high, what in (
            (self.min_power_kw, self.max_power_kw, "power"),
            (self.min_kwh, self.max_kwh, "energy"),
        ):
            for value in (low, high):
                if value is not None:
                    _check_amount(value, f"The {what} limit")
            if low is not None and high is not None and high <= low:
                raise InvalidTariff(f"The maximum {what} must be above the minimum.")
        for value in (self.min_duration, self.max_duration):
            if value is not None and value < timedelta(0):
                raise InvalidTariff("Durations cannot be negative.")
        shortest, longest = self.min_duration, self.max_duration
        if shortest is not None and longest is not None and longest <= shortest:
            raise InvalidTariff("The maximum duration must be above the minimum.")

    @property
    def is_empty(self) -> bool:
        return self == Restrictions()


@dataclass(frozen=True)
class TariffElement:
    """Prices for some dimensions, active while its restrictions hold (net of VAT)."""

    per_kwh: Decimal | None = None
    per_minute: Decimal | None = None
    idle: IdlePrice | None = None
    restrictions: Restrictions = field(default_factory=Restrictions)

    def __post_init__(self) -> None:
        if self.per_kwh is None and self.per_minute is None and self.idle is None:
            raise InvalidTariff("An element needs at least one price.")
        if self.per_kwh is not None:
            _check_amount(self.per_kwh, "The energy price")
        if self.per_minute is not None:
            _check_amount(self.per_minute, "The charging time price")


@dataclass(frozen=True)
class Tariff:
    """A tariff; see the module docstring. `vat_rate` is a fraction (0.19 for 19 %)."""

    id: str
    currency: str
    vat_rate: Decimal
    elements: tuple[TariffElement, ...]
    timezone: str = "UTC"
    session_fee: Decimal = Decimal(0)
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    rounding: RoundingPolicy = field(default_factory=RoundingPolicy)
    name: str = ""

    def __post_init__(self) -> None:
        if not self.id or len(self.id) > _MAX_ID_LENGTH:
            raise InvalidTariff(f"A tariff id has 1 to {_MAX_ID_LENGTH} characters.")
        if not _CURRENCY.fullmatch(self.currency):
            raise InvalidTariff("The currency is an ISO 4217 code such as EUR.")
        _check_amount(self.vat_rate, "The VAT rate")
        if self.vat_rate >= 1:
            raise InvalidTariff("The VAT rate is a fraction below 1 (0.19 for 19 %).")
        if not isinstance(self.elements, tuple):
            raise InvalidTariff("The elements are a tuple (the tariff is immutable).")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise InvalidTariff(f"Unknown time zone {self.timezone!r}.") from error
        for value, what in (
            (self.session_fee, "The session fee"),
            (self.min_price, "The minimum price"),
            (self.max_price, "The maximum price"),
        ):
            if value is not None:
                _check_amount(value, what)
                if not self.rounding.fits(value):
                    raise InvalidTariff(f"{what} has more decimals than amounts are rounded to.")
        for element in self.elements:
            cap = element.idle.cap if element.idle else None
            if cap is not None and not self.rounding.fits(cap):
                raise InvalidTariff("The idle fee cap has more decimals than the amounts.")
        low_price, high_price = self.min_price, self.max_price
        if low_price is not None and high_price is not None and high_price < low_price:
            raise InvalidTariff("The maximum price cannot be below the minimum price.")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _check_amount(value: object, what: str) -> None:
    # A float would carry binary noise into every amount: refuse it rather than convert.
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidTariff(f"{what} must be a finite Decimal.")
    if value < 0:
        raise InvalidTariff(f"{what} cannot be negative.")
