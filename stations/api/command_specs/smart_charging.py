"""The smart charging commands offered by the REST API (`smart_charging.profile_commands`).

A profile is written in version-neutral terms (the service builds the 1.6 or 2.x message):
purposes use the 2.x names, EVSE 0 is the whole station. Each input serializer's fields are
exactly its service's keyword arguments; the nested profile validates into a
`charging_profiles.Profile`.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from stations.api.registry import spec
from stations.services.smart_charging import charging_profiles, profile_commands
from stations.services.smart_charging.charging_profiles import Profile, Schedule, SchedulePeriod

LIMIT_SOURCES = ("EMS", "Other", "SO", "CSO")


def _evse(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0, help_text="EVSE id, 0 for the whole station (OCPP 1.6: connector).", **kwargs
    )


# A station may report profiles it got from elsewhere (ExternalConstraints); we never set one.
REPORTED_PURPOSES = (*charging_profiles.PURPOSES, charging_profiles.EXTERNAL_CONSTRAINTS)


def _purpose(**kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=charging_profiles.PURPOSES,
        help_text="2.x names; ChargingStationMaxProfile is 1.6's ChargePointMaxProfile.",
        **kwargs,
    )


def _limit(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=3, min_value=0, **kwargs)


class PeriodInput(serializers.Serializer):
    start = serializers.IntegerField(min_value=0, help_text="Seconds from the schedule's start.")
    limit = _limit(help_text="In the schedule's rate unit; OCPP 1.6 takes one decimal.")
    number_phases = serializers.IntegerField(min_value=1, max_value=3, required=False)
    phase_to_use = serializers.IntegerField(min_value=1, max_value=3, required=False)

    def validate(self, attrs: dict[str, Any]) -> SchedulePeriod:
        return SchedulePeriod(**attrs)


class ScheduleInput(serializers.Serializer):
    rate_unit = serializers.ChoiceField(choices=charging_profiles.RATE_UNITS)
    periods = PeriodInput(many=True, allow_empty=False)
    start = serializers.DateTimeField(required=False)
    duration = serializers.IntegerField(min_value=1, required=False)
    min_rate = _limit(required=False)
    id = serializers.IntegerField(required=False, help_text="2.x schedule id (default 1, 2...).")

    def validate(self, attrs: dict[str, Any]) -> Schedule:
        return Schedule(**{**attrs, "periods": tuple(attrs["periods"])})


class ProfileInput(serializers.Serializer):
    id = serializers.IntegerField(min_value=1)
    stack_level = serializers.IntegerField(min_value=0)
    purpose = _purpose()
    kind = serializers.ChoiceField(choices=charging_profiles.KINDS)
    # ListSerializer takes max_length (DRF 3.14+); the stubs do not know it yet.
    schedules = ScheduleInput(many=True, allow_empty=False, max_length=3)  # type: ignore[call-arg]
    recurrency = serializers.ChoiceField(choices=charging_profiles.RECURRENCY_KINDS, required=False)
    valid_from = serializers.DateTimeField(required=False)
    valid_to = serializers.DateTimeField(required=False)
    transaction_id = serializers.CharField(max_length=36, required=False)

    def validate(self, attrs: dict[str, Any]) -> Profile:
        return Profile(**{**attrs, "schedules": tuple(attrs["schedules"])})


class SetChargingProfileInput(serializers.Serializer):
    evse_id = _evse()
    profile = ProfileInput()


class ClearChargingProfileInput(serializers.Serializer):
    profile_id = serializers.IntegerField(required=False)
    evse_id = _evse(required=False)
    purpose = _purpose(required=False)
    stack_level = serializers.IntegerField(min_value=0, required=False)


class GetCompositeScheduleInput(serializers.Serializer):
    evse_id = _evse()
    duration = serializers.IntegerField(min_value=1, help_text="Seconds from now.")
    rate_unit = serializers.ChoiceField(choices=charging_profiles.RATE_UNITS, required=False)


class GetChargingProfilesInput(serializers.Serializer):
    evse_id = _evse(required=False)
    purpose = serializers.ChoiceField(choices=REPORTED_PURPOSES, required=False)
    stack_level = serializers.IntegerField(min_value=0, required=False)
    profile_ids = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=False, required=False
    )
    limit_sources = serializers.ListField(
        child=serializers.ChoiceField(choices=LIMIT_SOURCES),
        allow_empty=False,
        max_length=4,
        required=False,
    )


def _installed(outcome: profile_commands.ProfileResult) -> dict[str, Any]:
    return {
        "status": outcome.status,
        "charging_profile": outcome.profile.pk if outcome.profile else None,
    }


def _schedule(outcome: profile_commands.CompositeScheduleResult) -> dict[str, Any]:
    schedule = outcome.schedule
    return {
        "status": outcome.status,
        "evse_id": outcome.evse_id,
        "start": outcome.start.isoformat() if outcome.start else None,
        "schedule": None
        if schedule is None
        else {
            "rate_unit": schedule.rate_unit,
            "duration": schedule.duration,
            "min_rate": charging_profiles.number(schedule.min_rate),
            "periods": [
                {
                    "start": period.start,
                    "limit": charging_profiles.number(period.limit),
                    "number_phases": period.number_phases,
                    "phase_to_use": period.phase_to_use,
                }
                for period in schedule.periods
            ],
        },
    }


SPECS = [
    spec("set-charging-profile", SetChargingProfileInput, render=_installed),
    spec("clear-charging-profile", ClearChargingProfileInput),
    spec("get-composite-schedule", GetCompositeScheduleInput, render=_schedule),
    spec("get-charging-profiles", GetChargingProfilesInput),
]
