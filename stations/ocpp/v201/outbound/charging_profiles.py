"""Smart charging in OCPP 2.0.1 and 2.1: EVSE ids as such, profiles with a list of identified
schedules, and the profiles a station reports (ReportChargingProfiles) read back. 2.1 adds the
PriorityCharging and LocalGeneration purposes and the Dynamic kind; the builders are told the
version."""

from __future__ import annotations

from typing import Any

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
    ClearChargingProfile,
    CompositeSchedule,
    GetChargingProfiles,
    GetCompositeSchedule,
    Profile,
    ProfileWritten,
    ReportedProfile,
    SetChargingProfile,
)

from .adapter import ADAPTER

V21 = "2.1"


def profile_payload(profile: Profile, version: str) -> dict[str, Any]:
    """The profile as `version` ("2.0.1" or "2.1") writes it (SetChargingProfile's and
    RequestStartTransaction's chargingProfile). Raises CommandInvalid for what that version
    cannot express."""
    charging_profiles.check(profile)
    if version != V21:
        refuse_v21_only(profile)
    payload: dict[str, Any] = {
        "id": profile.id,
        "stackLevel": profile.stack_level,
        "chargingProfilePurpose": profile.purpose,
        "chargingProfileKind": profile.kind,
    }
    if profile.transaction_id is not None:
        payload["transactionId"] = profile.transaction_id
    common_fields(payload, profile)
    payload["chargingSchedule"] = [
        {
            "id": schedule.id if schedule.id is not None else n,
            **schedule_payload(schedule, phase_to_use=True),
        }
        for n, schedule in enumerate(profile.schedules, start=1)
    ]
    return payload


def reported_profile(item: dict[str, Any]) -> ReportedProfile:
    """One camelCase ChargingProfileType of a ReportChargingProfiles."""
    return ReportedProfile(
        id=item["id"],
        stack_level=item.get("stackLevel", 0),
        purpose=item.get("chargingProfilePurpose", ""),
        kind=item.get("chargingProfileKind", ""),
        recurrency=item.get("recurrencyKind", ""),
        valid_from=optional_datetime(item.get("validFrom")),
        valid_to=optional_datetime(item.get("validTo")),
        transaction_id=str(item.get("transactionId", "")),
        payload=item,
    )


@ADAPTER.builds(SetChargingProfile, fields={"evseId": "evse_id", "chargingProfile": "profile"})
def set_charging_profile(request: SetChargingProfile, version: str) -> Message:
    charging_profiles.check_evse(request.evse_id)
    return Message(
        "SetChargingProfile",
        {"evseId": request.evse_id, "chargingProfile": profile_payload(request.profile, version)},
    )


@ADAPTER.reads(SetChargingProfile)
def profile_written(
    request: SetChargingProfile, response: dict[str, Any], version: str
) -> ProfileWritten:
    return ProfileWritten(profile_payload(request.profile, version))


@ADAPTER.builds(
    ClearChargingProfile,
    fields={
        "chargingProfileId": "profile_id",
        "chargingProfileCriteria.evseId": "evse_id",
        "chargingProfileCriteria.chargingProfilePurpose": "purpose",
        "chargingProfileCriteria.stackLevel": "stack_level",
    },
)
def clear_charging_profile(request: ClearChargingProfile, version: str) -> Message:
    criteria: dict[str, Any] = {}
    if request.evse_id is not None:
        charging_profiles.check_evse(request.evse_id)
        criteria["evseId"] = request.evse_id
    if request.purpose is not None:
        _check_purpose(request.purpose, version)
        criteria["chargingProfilePurpose"] = request.purpose
    if request.stack_level is not None:
        criteria["stackLevel"] = request.stack_level
    payload: dict[str, Any] = {"chargingProfileCriteria": criteria} if criteria else {}
    if request.profile_id is not None:
        payload["chargingProfileId"] = request.profile_id
    return Message("ClearChargingProfile", payload)


@ADAPTER.builds(GetCompositeSchedule, fields={"evseId": "evse_id", "chargingRateUnit": "rate_unit"})
def get_composite_schedule(request: GetCompositeSchedule, version: str) -> Message:
    charging_profiles.check_composite_request(request.evse_id, request.duration, request.rate_unit)
    payload: dict[str, Any] = {"evseId": request.evse_id, "duration": request.duration}
    if request.rate_unit is not None:
        payload["chargingRateUnit"] = request.rate_unit
    return Message("GetCompositeSchedule", payload)


@ADAPTER.reads(GetCompositeSchedule)
def composite_schedule(
    request: GetCompositeSchedule, response: dict[str, Any], version: str
) -> CompositeSchedule:
    raw = response.get("schedule")
    evse_id = (raw or {}).get("evseId")
    if response.get("status") != "Accepted" or not raw:
        return CompositeSchedule(evse_id)
    start = optional_datetime(raw.get("scheduleStart"))
    return CompositeSchedule(evse_id, start, schedule_from_ocpp(raw, start))


@ADAPTER.builds(
    GetChargingProfiles,
    fields={
        "evseId": "evse_id",
        "chargingProfile.chargingProfilePurpose": "purpose",
        "chargingProfile.stackLevel": "stack_level",
        "chargingProfile.chargingProfileId": "profile_ids",
        "chargingProfile.chargingLimitSource": "limit_sources",
    },
)
def get_charging_profiles(request: GetChargingProfiles, version: str) -> Message:
    criterion: dict[str, Any] = {}
    if request.purpose is not None:
        # Listing external constraints is allowed; only setting and clearing them is not.
        if request.purpose != charging_profiles.EXTERNAL_CONSTRAINTS:
            _check_purpose(request.purpose, version)
        criterion["chargingProfilePurpose"] = request.purpose
    if request.stack_level is not None:
        criterion["stackLevel"] = request.stack_level
    if request.profile_ids:
        criterion["chargingProfileId"] = list(request.profile_ids)
    if request.limit_sources:
        criterion["chargingLimitSource"] = list(request.limit_sources)
    payload: dict[str, Any] = {"requestId": request.request_id, "chargingProfile": criterion}
    if request.evse_id is not None:
        charging_profiles.check_evse(request.evse_id)
        payload["evseId"] = request.evse_id
    return Message("GetChargingProfiles", payload)


def _check_purpose(purpose: str, version: str) -> None:
    charging_profiles.check_purpose(purpose)
    if version != V21:
        refuse_v21_purpose(purpose)
