"""The OCPP messages of smart charging, per version (pure: no database).

EVSE N is 1.6 connector N, EVSE 0 the whole station; profiles are converted by
`charging_profiles`. Each builder raises CommandInvalid, before anything is sent, for what the
station's version cannot express.
"""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.commands.remote import V16, Message
from stations.services.smart_charging import charging_profiles
from stations.services.smart_charging.charging_profiles import Profile

V16_HAS_NO_GET_CHARGING_PROFILES = (
    "OCPP 1.6 stations cannot list their charging profiles: ask for a composite schedule instead."
)
DURATION_POSITIVE = "The duration is a number of seconds greater than 0."
NEGATIVE_EVSE = "EVSE ids are 0 (the whole station) or more."


def build_set_charging_profile(*, version: str, evse_id: int, profile: Profile) -> Message:
    _check_evse(evse_id)
    payload = charging_profiles.to_ocpp(profile, version=version)
    if version == V16:
        return Message(
            "SetChargingProfile", {"connectorId": evse_id, "csChargingProfiles": payload}
        )
    return Message("SetChargingProfile", {"evseId": evse_id, "chargingProfile": payload})


def build_clear_charging_profile(
    *,
    version: str,
    profile_id: int | None = None,
    evse_id: int | None = None,
    purpose: str | None = None,
    stack_level: int | None = None,
) -> Message:
    if evse_id is not None:
        _check_evse(evse_id)
    if purpose is not None:
        charging_profiles.check_purpose(purpose, version=version)
    if version == V16:
        payload: dict[str, Any] = {}
        if profile_id is not None:
            payload["id"] = profile_id
        if evse_id is not None:
            payload["connectorId"] = evse_id
        if purpose is not None:
            payload["chargingProfilePurpose"] = charging_profiles.v16_purpose(purpose)
        if stack_level is not None:
            payload["stackLevel"] = stack_level
        return Message("ClearChargingProfile", payload)
    criteria: dict[str, Any] = {}
    if evse_id is not None:
        criteria["evseId"] = evse_id
    if purpose is not None:
        criteria["chargingProfilePurpose"] = purpose
    if stack_level is not None:
        criteria["stackLevel"] = stack_level
    payload = {"chargingProfileCriteria": criteria} if criteria else {}
    if profile_id is not None:
        payload["chargingProfileId"] = profile_id
    return Message("ClearChargingProfile", payload)


def build_get_composite_schedule(
    *, version: str, evse_id: int, duration: int, rate_unit: str | None = None
) -> Message:
    _check_evse(evse_id)
    if duration <= 0:
        raise CommandInvalid(DURATION_POSITIVE, field="duration")
    if rate_unit is not None and rate_unit not in charging_profiles.RATE_UNITS:
        raise CommandInvalid(charging_profiles.UNKNOWN_RATE_UNIT, field="rate_unit")
    payload: dict[str, Any] = {"connectorId" if version == V16 else "evseId": evse_id}
    payload["duration"] = duration
    if rate_unit is not None:
        payload["chargingRateUnit"] = rate_unit
    return Message("GetCompositeSchedule", payload)


def build_get_charging_profiles(
    *,
    version: str,
    request_id: int,
    evse_id: int | None = None,
    purpose: str | None = None,
    stack_level: int | None = None,
    profile_ids: list[int] | None = None,
    limit_sources: list[str] | None = None,
) -> Message:
    if version == V16:
        raise CommandInvalid(V16_HAS_NO_GET_CHARGING_PROFILES)
    criterion: dict[str, Any] = {}
    if purpose is not None:
        # Listing external constraints is allowed; only setting and clearing them is not.
        if purpose != charging_profiles.EXTERNAL_CONSTRAINTS:
            charging_profiles.check_purpose(purpose, version=version)
        criterion["chargingProfilePurpose"] = purpose
    if stack_level is not None:
        criterion["stackLevel"] = stack_level
    if profile_ids:
        criterion["chargingProfileId"] = list(profile_ids)
    if limit_sources:
        criterion["chargingLimitSource"] = list(limit_sources)
    payload: dict[str, Any] = {"requestId": request_id, "chargingProfile": criterion}
    if evse_id is not None:
        _check_evse(evse_id)
        payload["evseId"] = evse_id
    return Message("GetChargingProfiles", payload)


def _check_evse(evse_id: int) -> None:
    if evse_id < 0:
        raise CommandInvalid(NEGATIVE_EVSE, field="evse_id")
