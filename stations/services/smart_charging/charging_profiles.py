"""Charging profiles in version-neutral terms: the vocabulary, and the rules every version shares.

A `Profile` (see `requests`) is what an operator or a task asks for. The checks here raise
CommandInvalid, before anything is sent, for what no version can express; each version's
adapter then refuses what its own version cannot (1.6: one schedule, one decimal; 2.1-only
purposes and kinds).
"""

from __future__ import annotations

from decimal import Decimal

from stations.exceptions import CommandInvalid
from stations.services.smart_charging.requests import (
    Profile,
    Schedule,
    SchedulePeriod,
)

__all__ = ["Profile", "Schedule", "SchedulePeriod"]

STATION_MAX = "ChargingStationMaxProfile"
TX_DEFAULT = "TxDefaultProfile"
TX = "TxProfile"
EXTERNAL_CONSTRAINTS = "ChargingStationExternalConstraints"
PURPOSES = (STATION_MAX, TX_DEFAULT, TX, "PriorityCharging", "LocalGeneration")
KINDS = ("Absolute", "Recurring", "Relative", "Dynamic")
RECURRENCY_KINDS = ("Daily", "Weekly")
RATE_UNITS = ("A", "W")

UNKNOWN_PURPOSE = "The purpose is ChargingStationMaxProfile, TxDefaultProfile or TxProfile."
EXTERNAL_CONSTRAINTS_NOT_SET = (
    "ChargingStationExternalConstraints profiles come from an energy management system, "
    "not from the back office."
)
UNKNOWN_KIND = "The kind is Absolute, Recurring or Relative."
RECURRING_NEEDS_RECURRENCY = "A recurring profile says whether it repeats Daily or Weekly."
UNKNOWN_RATE_UNIT = "The rate unit is A (amperes) or W (watts)."
SCHEDULE_NEEDS_PERIODS = "A schedule has at least one period."
FIRST_PERIOD_AT_ZERO = "The first period starts at 0 seconds."
PERIODS_IN_ORDER = "Periods start in increasing order."
PERIOD_NEEDS_LIMIT = "Every period has a limit."
TRANSACTION_ID_ONLY_FOR_TX = "Only a TxProfile names a transaction."
VALIDITY_ORDER = "The profile's validity ends after it begins."
DURATION_POSITIVE = "The duration is a number of seconds greater than 0."
NEGATIVE_EVSE = "EVSE ids are 0 (the whole station) or more."


def check(profile: Profile) -> None:
    """CommandInvalid for a profile no version can express."""
    check_purpose(profile.purpose)
    if profile.kind not in KINDS:
        raise CommandInvalid(UNKNOWN_KIND, field="kind")
    if profile.kind == "Recurring" and profile.recurrency not in RECURRENCY_KINDS:
        raise CommandInvalid(RECURRING_NEEDS_RECURRENCY, field="recurrency")
    if profile.transaction_id is not None and profile.purpose != TX:
        raise CommandInvalid(TRANSACTION_ID_ONLY_FOR_TX, field="transaction_id")
    if profile.valid_from and profile.valid_to and profile.valid_to <= profile.valid_from:
        raise CommandInvalid(VALIDITY_ORDER, field="valid_to")
    if not profile.schedules:
        raise CommandInvalid(SCHEDULE_NEEDS_PERIODS, field="schedules")
    for schedule in profile.schedules:
        _check_schedule(schedule)


def check_purpose(purpose: str) -> None:
    """A purpose the back office may set or clear (on a station whose version has it)."""
    if purpose == EXTERNAL_CONSTRAINTS:
        raise CommandInvalid(EXTERNAL_CONSTRAINTS_NOT_SET, field="purpose")
    if purpose not in PURPOSES:
        raise CommandInvalid(UNKNOWN_PURPOSE, field="purpose")


def check_evse(evse_id: int) -> None:
    if evse_id < 0:
        raise CommandInvalid(NEGATIVE_EVSE, field="evse_id")


def check_composite_request(evse_id: int, duration: int, rate_unit: str | None) -> None:
    check_evse(evse_id)
    if duration <= 0:
        raise CommandInvalid(DURATION_POSITIVE, field="duration")
    if rate_unit is not None and rate_unit not in RATE_UNITS:
        raise CommandInvalid(UNKNOWN_RATE_UNIT, field="rate_unit")


def _check_schedule(schedule: Schedule) -> None:
    if schedule.rate_unit not in RATE_UNITS:
        raise CommandInvalid(UNKNOWN_RATE_UNIT, field="rate_unit")
    if not schedule.periods:
        raise CommandInvalid(SCHEDULE_NEEDS_PERIODS, field="periods")
    if schedule.periods[0].start != 0:
        raise CommandInvalid(FIRST_PERIOD_AT_ZERO, field="periods")
    starts = [period.start for period in schedule.periods]
    if starts != sorted(set(starts)):
        raise CommandInvalid(PERIODS_IN_ORDER, field="periods")
    for period in schedule.periods:
        if period.limit is None:
            # 2.1 lets a period carry only setpoints; the back office does not write those.
            raise CommandInvalid(PERIOD_NEEDS_LIMIT, field="periods")


def number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number: whole values as ints, others as floats."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
