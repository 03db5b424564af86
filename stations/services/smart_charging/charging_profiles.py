"""Charging profiles in version-neutral terms, and their OCPP 1.6 and 2.x shapes (pure).

A `Profile` is what an operator or a task asks for. Purposes use the 2.x names; the 1.6
ChargePointMaxProfile is ChargingStationMaxProfile here. Limits are Decimals in the schedule's
rate unit (A or W); OCPP 1.6 takes them with at most one decimal. `to_ocpp` raises
CommandInvalid, before anything is sent, for what the station's version cannot express.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from backoffice.lib.ocpp_time import format_ocpp_datetime, parse_ocpp_datetime
from stations.exceptions import CommandInvalid

V16 = "1.6"
V21 = "2.1"

STATION_MAX = "ChargingStationMaxProfile"
TX_DEFAULT = "TxDefaultProfile"
TX = "TxProfile"
EXTERNAL_CONSTRAINTS = "ChargingStationExternalConstraints"
PURPOSES = (STATION_MAX, TX_DEFAULT, TX, "PriorityCharging", "LocalGeneration")
V21_ONLY_PURPOSES = frozenset({"PriorityCharging", "LocalGeneration"})
KINDS = ("Absolute", "Recurring", "Relative", "Dynamic")
RECURRENCY_KINDS = ("Daily", "Weekly")
RATE_UNITS = ("A", "W")
_V16_PURPOSE = {STATION_MAX: "ChargePointMaxProfile", TX_DEFAULT: TX_DEFAULT, TX: TX}
_FROM_V16_PURPOSE = {v16: neutral for neutral, v16 in _V16_PURPOSE.items()}
_TENTH = Decimal("0.1")

UNKNOWN_PURPOSE = "The purpose is ChargingStationMaxProfile, TxDefaultProfile or TxProfile."
EXTERNAL_CONSTRAINTS_NOT_SET = (
    "ChargingStationExternalConstraints profiles come from an energy management system, "
    "not from the back office."
)
PURPOSE_NEEDS_V21 = "PriorityCharging and LocalGeneration profiles need an OCPP 2.1 station."
KIND_NEEDS_V21 = "Dynamic profiles need an OCPP 2.1 station."
UNKNOWN_KIND = "The kind is Absolute, Recurring or Relative."
RECURRING_NEEDS_RECURRENCY = "A recurring profile says whether it repeats Daily or Weekly."
UNKNOWN_RATE_UNIT = "The rate unit is A (amperes) or W (watts)."
SCHEDULE_NEEDS_PERIODS = "A schedule has at least one period."
FIRST_PERIOD_AT_ZERO = "The first period starts at 0 seconds."
PERIODS_IN_ORDER = "Periods start in increasing order."
PERIOD_NEEDS_LIMIT = "Every period has a limit."
V16_LIMIT_ONE_DECIMAL = "An OCPP 1.6 limit has at most one decimal (e.g. 16.5)."
V16_ONE_SCHEDULE = "An OCPP 1.6 profile has exactly one schedule."
V16_TRANSACTION_ID_NOT_INT = "An OCPP 1.6 transaction id is a whole number."
TRANSACTION_ID_ONLY_FOR_TX = "Only a TxProfile names a transaction."
VALIDITY_ORDER = "The profile's validity ends after it begins."


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    """From `start` seconds after the schedule's start, charge at most `limit`."""

    start: int
    limit: Decimal | None
    number_phases: int | None = None
    # 2.x: the phase a single-phase EV uses on a three-phase station (1, 2 or 3).
    phase_to_use: int | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    rate_unit: str
    periods: tuple[SchedulePeriod, ...]
    start: datetime | None = None
    duration: int | None = None
    min_rate: Decimal | None = None
    # 2.x schedules carry an id; None: the schedule's place in the profile (1, 2, 3).
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    id: int
    stack_level: int
    purpose: str
    kind: str
    schedules: tuple[Schedule, ...]
    recurrency: str | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: str | None = None


def to_ocpp(profile: Profile, *, version: str) -> dict[str, Any]:
    """The profile as the station's version writes it (1.6 csChargingProfiles, 2.x
    chargingProfile). Raises CommandInvalid for what that version cannot express."""
    check(profile, version=version)
    if version == V16:
        return _to_v16(profile)
    return _to_v2x(profile)


def check(profile: Profile, *, version: str) -> None:
    check_purpose(profile.purpose, version=version)
    if profile.kind not in KINDS:
        raise CommandInvalid(UNKNOWN_KIND, field="kind")
    if profile.kind == "Dynamic" and version != V21:
        raise CommandInvalid(KIND_NEEDS_V21, field="kind")
    if profile.kind == "Recurring" and profile.recurrency not in RECURRENCY_KINDS:
        raise CommandInvalid(RECURRING_NEEDS_RECURRENCY, field="recurrency")
    if profile.transaction_id is not None and profile.purpose != TX:
        raise CommandInvalid(TRANSACTION_ID_ONLY_FOR_TX, field="transaction_id")
    if profile.valid_from and profile.valid_to and profile.valid_to <= profile.valid_from:
        raise CommandInvalid(VALIDITY_ORDER, field="valid_to")
    if not profile.schedules:
        raise CommandInvalid(SCHEDULE_NEEDS_PERIODS, field="schedules")
    if version == V16:
        if len(profile.schedules) != 1:
            raise CommandInvalid(V16_ONE_SCHEDULE, field="schedules")
        if profile.transaction_id is not None and not profile.transaction_id.isdigit():
            raise CommandInvalid(V16_TRANSACTION_ID_NOT_INT, field="transaction_id")
    for schedule in profile.schedules:
        _check_schedule(schedule, version)


def check_purpose(purpose: str, *, version: str) -> None:
    """A purpose the back office may set or clear on a station of `version`."""
    if purpose == EXTERNAL_CONSTRAINTS:
        raise CommandInvalid(EXTERNAL_CONSTRAINTS_NOT_SET, field="purpose")
    if purpose not in PURPOSES:
        raise CommandInvalid(UNKNOWN_PURPOSE, field="purpose")
    if purpose in V21_ONLY_PURPOSES and version != V21:
        raise CommandInvalid(PURPOSE_NEEDS_V21, field="purpose")


def v16_purpose(purpose: str) -> str:
    """The 1.6 name of a purpose `check_purpose` allowed on a 1.6 station."""
    return _V16_PURPOSE[purpose]


def _check_schedule(schedule: Schedule, version: str) -> None:
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
        if version == V16 and period.limit != period.limit.quantize(_TENTH):
            raise CommandInvalid(V16_LIMIT_ONE_DECIMAL, field="periods")
    if (
        version == V16
        and schedule.min_rate is not None
        and schedule.min_rate != schedule.min_rate.quantize(_TENTH)
    ):
        raise CommandInvalid(V16_LIMIT_ONE_DECIMAL, field="min_rate")


def _to_v16(profile: Profile) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "chargingProfileId": profile.id,
        "stackLevel": profile.stack_level,
        "chargingProfilePurpose": v16_purpose(profile.purpose),
        "chargingProfileKind": profile.kind,
    }
    if profile.transaction_id is not None:
        payload["transactionId"] = int(profile.transaction_id)
    _common(payload, profile)
    payload["chargingSchedule"] = _schedule(profile.schedules[0], v16=True)
    return payload


def _to_v2x(profile: Profile) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": profile.id,
        "stackLevel": profile.stack_level,
        "chargingProfilePurpose": profile.purpose,
        "chargingProfileKind": profile.kind,
    }
    if profile.transaction_id is not None:
        payload["transactionId"] = profile.transaction_id
    _common(payload, profile)
    payload["chargingSchedule"] = [
        {"id": schedule.id if schedule.id is not None else n, **_schedule(schedule)}
        for n, schedule in enumerate(profile.schedules, start=1)
    ]
    return payload


def _common(payload: dict[str, Any], profile: Profile) -> None:
    if profile.recurrency is not None:
        payload["recurrencyKind"] = profile.recurrency
    if profile.valid_from is not None:
        payload["validFrom"] = format_ocpp_datetime(profile.valid_from)
    if profile.valid_to is not None:
        payload["validTo"] = format_ocpp_datetime(profile.valid_to)


def _schedule(schedule: Schedule, *, v16: bool = False) -> dict[str, Any]:
    payload: dict[str, Any] = {"chargingRateUnit": schedule.rate_unit}
    if schedule.start is not None:
        payload["startSchedule"] = format_ocpp_datetime(schedule.start)
    if schedule.duration is not None:
        payload["duration"] = schedule.duration
    if schedule.min_rate is not None:
        payload["minChargingRate"] = number(schedule.min_rate)
    periods = []
    for period in schedule.periods:
        item: dict[str, Any] = {"startPeriod": period.start, "limit": number(period.limit)}
        if period.number_phases is not None:
            item["numberPhases"] = period.number_phases
        if period.phase_to_use is not None and not v16:
            item["phaseToUse"] = period.phase_to_use
        periods.append(item)
    payload["chargingSchedulePeriod"] = periods
    return payload


def number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number: whole values as ints, others as floats."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- from the station ------------------------------------------------------------------------


def neutral_purpose(purpose: str) -> str:
    """A purpose as the station wrote it, in the domain's (2.x) names."""
    return _FROM_V16_PURPOSE.get(purpose, purpose)


def periods_from_ocpp(items: list[dict[str, Any]]) -> tuple[SchedulePeriod, ...]:
    """camelCase chargingSchedulePeriod items, from a station's answer or report."""
    return tuple(
        SchedulePeriod(
            start=item["startPeriod"],
            limit=to_decimal(item.get("limit")),
            number_phases=item.get("numberPhases"),
            phase_to_use=item.get("phaseToUse"),
        )
        for item in items
    )


def optional_datetime(raw: str | None) -> datetime | None:
    return parse_ocpp_datetime(raw).value if raw else None


def to_decimal(value: Any) -> Decimal | None:
    # Through str: a float's binary expansion is not the value the station wrote.
    return None if value is None else Decimal(str(value))
