"""What the 1.6 and 2.x shapes of charging profiles share: schedules and their periods (written
and read alike, 2.x adding phaseToUse), and the purposes and kinds only 2.1 has.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from backoffice.lib.ocpp_time import format_ocpp_datetime, parse_ocpp_datetime
from stations.exceptions import CommandInvalid
from stations.services.smart_charging.charging_profiles import number
from stations.services.smart_charging.requests import Profile, Schedule, SchedulePeriod

V21_ONLY_PURPOSES = frozenset({"PriorityCharging", "LocalGeneration"})
PURPOSE_NEEDS_V21 = "PriorityCharging and LocalGeneration profiles need an OCPP 2.1 station."
KIND_NEEDS_V21 = "Dynamic profiles need an OCPP 2.1 station."


def refuse_v21_purpose(purpose: str) -> None:
    """For a station before 2.1."""
    if purpose in V21_ONLY_PURPOSES:
        raise CommandInvalid(PURPOSE_NEEDS_V21, field="purpose")


def refuse_v21_only(profile: Profile) -> None:
    """For a station before 2.1: its purposes and the Dynamic kind."""
    refuse_v21_purpose(profile.purpose)
    if profile.kind == "Dynamic":
        raise CommandInvalid(KIND_NEEDS_V21, field="kind")


# --- to the station ------------------------------------------------------------------------------


def common_fields(payload: dict[str, Any], profile: Profile) -> None:
    if profile.recurrency is not None:
        payload["recurrencyKind"] = profile.recurrency
    if profile.valid_from is not None:
        payload["validFrom"] = format_ocpp_datetime(profile.valid_from)
    if profile.valid_to is not None:
        payload["validTo"] = format_ocpp_datetime(profile.valid_to)


def schedule_payload(schedule: Schedule, *, phase_to_use: bool) -> dict[str, Any]:
    """A ChargingScheduleType without the 2.x id; `phase_to_use`: the version has it (2.x)."""
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
        if period.phase_to_use is not None and phase_to_use:
            item["phaseToUse"] = period.phase_to_use
        periods.append(item)
    payload["chargingSchedulePeriod"] = periods
    return payload


# --- from the station ----------------------------------------------------------------------------


def schedule_from_ocpp(raw: dict[str, Any], start: datetime | None) -> Schedule:
    """A camelCase ChargingScheduleType (or composite schedule) from a station's answer."""
    return Schedule(
        rate_unit=raw["chargingRateUnit"],
        periods=periods_from_ocpp(raw["chargingSchedulePeriod"]),
        start=start,
        duration=raw.get("duration"),
        min_rate=to_decimal(raw.get("minChargingRate")),
    )


def periods_from_ocpp(items: list[dict[str, Any]]) -> tuple[SchedulePeriod, ...]:
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
