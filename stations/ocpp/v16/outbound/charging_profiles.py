"""Smart charging in OCPP 1.6: connector N is EVSE N (0: the station), one schedule per profile,
limits with at most one decimal, ChargePointMaxProfile for ChargingStationMaxProfile, and no
listing of profiles (GetChargingProfiles is refused with its own reason)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from stations.exceptions import CommandInvalid
from stations.ocpp.charging_profiles import (
    common_fields,
    optional_datetime,
    refuse_v21_only,
    refuse_v21_purpose,
    schedule_from_ocpp,
    schedule_payload,
)
from stations.services.commands.adapters import Message
from stations.services.smart_charging import charging_profiles
from stations.services.smart_charging.requests import (
    CANNOT_LIST_PROFILES,
    ClearChargingProfile,
    CompositeSchedule,
    GetChargingProfiles,
    GetCompositeSchedule,
    Profile,
    ProfileWritten,
    Schedule,
    SetChargingProfile,
)

from .adapter import ADAPTER

V16_LIMIT_ONE_DECIMAL = "An OCPP 1.6 limit has at most one decimal (e.g. 16.5)."
V16_ONE_SCHEDULE = "An OCPP 1.6 profile has exactly one schedule."
V16_TRANSACTION_ID_NOT_INT = "An OCPP 1.6 transaction id is a whole number."

_PURPOSES = {
    charging_profiles.STATION_MAX: "ChargePointMaxProfile",
    charging_profiles.TX_DEFAULT: charging_profiles.TX_DEFAULT,
    charging_profiles.TX: charging_profiles.TX,
}
_TENTH = Decimal("0.1")


def profile_payload(profile: Profile) -> dict[str, Any]:
    """The profile as 1.6 writes it (csChargingProfiles, RemoteStartTransaction's
    chargingProfile). Raises CommandInvalid for what 1.6 cannot express."""
    charging_profiles.check(profile)
    refuse_v21_only(profile)
    if len(profile.schedules) != 1:
        raise CommandInvalid(V16_ONE_SCHEDULE, field="schedules")
    if profile.transaction_id is not None and not profile.transaction_id.isdigit():
        raise CommandInvalid(V16_TRANSACTION_ID_NOT_INT, field="transaction_id")
    schedule = profile.schedules[0]
    _check_tenths(schedule)
    payload: dict[str, Any] = {
        "chargingProfileId": profile.id,
        "stackLevel": profile.stack_level,
        "chargingProfilePurpose": _PURPOSES[profile.purpose],
        "chargingProfileKind": profile.kind,
    }
    if profile.transaction_id is not None:
        payload["transactionId"] = int(profile.transaction_id)
    common_fields(payload, profile)
    payload["chargingSchedule"] = schedule_payload(schedule, phase_to_use=False)
    return payload


# 1.6 has no GetChargingProfiles: its reason, not the generic 2.x-only refusal.
ADAPTER.refuses(GetChargingProfiles, CANNOT_LIST_PROFILES)


@ADAPTER.builds(
    SetChargingProfile, fields={"connectorId": "evse_id", "csChargingProfiles": "profile"}
)
def set_charging_profile(request: SetChargingProfile, version: str) -> Message:
    charging_profiles.check_evse(request.evse_id)
    return Message(
        "SetChargingProfile",
        {"connectorId": request.evse_id, "csChargingProfiles": profile_payload(request.profile)},
    )


@ADAPTER.reads(SetChargingProfile)
def profile_written(
    request: SetChargingProfile, response: dict[str, Any], version: str
) -> ProfileWritten:
    return ProfileWritten(profile_payload(request.profile))


@ADAPTER.builds(
    ClearChargingProfile,
    fields={
        "id": "profile_id",
        "connectorId": "evse_id",
        "chargingProfilePurpose": "purpose",
        "stackLevel": "stack_level",
    },
)
def clear_charging_profile(request: ClearChargingProfile, version: str) -> Message:
    if request.evse_id is not None:
        charging_profiles.check_evse(request.evse_id)
    payload: dict[str, Any] = {}
    if request.profile_id is not None:
        payload["id"] = request.profile_id
    if request.evse_id is not None:
        payload["connectorId"] = request.evse_id
    if request.purpose is not None:
        charging_profiles.check_purpose(request.purpose)
        refuse_v21_purpose(request.purpose)
        payload["chargingProfilePurpose"] = _PURPOSES[request.purpose]
    if request.stack_level is not None:
        payload["stackLevel"] = request.stack_level
    return Message("ClearChargingProfile", payload)


@ADAPTER.builds(
    GetCompositeSchedule, fields={"connectorId": "evse_id", "chargingRateUnit": "rate_unit"}
)
def get_composite_schedule(request: GetCompositeSchedule, version: str) -> Message:
    charging_profiles.check_composite_request(request.evse_id, request.duration, request.rate_unit)
    payload: dict[str, Any] = {"connectorId": request.evse_id, "duration": request.duration}
    if request.rate_unit is not None:
        payload["chargingRateUnit"] = request.rate_unit
    return Message("GetCompositeSchedule", payload)


@ADAPTER.reads(GetCompositeSchedule)
def composite_schedule(
    request: GetCompositeSchedule, response: dict[str, Any], version: str
) -> CompositeSchedule:
    raw = response.get("chargingSchedule")
    evse_id = response.get("connectorId")
    if response.get("status") != "Accepted" or not raw:
        return CompositeSchedule(evse_id)
    start = optional_datetime(response.get("scheduleStart") or raw.get("startSchedule"))
    return CompositeSchedule(evse_id, start, schedule_from_ocpp(raw, start))


def _check_tenths(schedule: Schedule) -> None:
    for period in schedule.periods:
        if period.limit is not None and period.limit != period.limit.quantize(_TENTH):
            raise CommandInvalid(V16_LIMIT_ONE_DECIMAL, field="periods")
    if schedule.min_rate is not None and schedule.min_rate != schedule.min_rate.quantize(_TENTH):
        raise CommandInvalid(V16_LIMIT_ONE_DECIMAL, field="min_rate")
