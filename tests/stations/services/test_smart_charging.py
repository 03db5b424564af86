"""Smart charging without a socket: the payload each version's adapter builds, what is refused
before anything is sent, reading answers, and keeping a 2.x station's reported profiles."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from stations.exceptions import CommandInvalid, StationNotConnected
from stations.models import ChargingProfile, Command
from stations.ocpp import charging_profiles as shapes
from stations.ocpp.v16.outbound import charging_profiles as v16_profiles
from stations.ocpp.v201.outbound.charging_profiles import reported_profile
from stations.services.commands import adapters, requests
from stations.services.smart_charging import charging_profiles, profile_commands
from stations.services.smart_charging.charging_profiles import Profile, Schedule, SchedulePeriod
from stations.services.smart_charging.requests import (
    CANNOT_LIST_PROFILES,
    ClearChargingProfile,
    GetChargingProfiles,
    GetCompositeSchedule,
    SetChargingProfile,
)
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def profile(**changes) -> Profile:
    fields = {
        "id": 7,
        "stack_level": 1,
        "purpose": "TxDefaultProfile",
        "kind": "Absolute",
        "schedules": (
            Schedule(
                rate_unit="A",
                periods=(SchedulePeriod(0, D("16")), SchedulePeriod(3600, D("7.5"), 1)),
                start=T0,
                duration=7200,
            ),
        ),
    }
    return Profile(**{**fields, **changes})


def schedule(*periods: SchedulePeriod, **changes) -> tuple[Schedule, ...]:
    return (Schedule(rate_unit="W", periods=periods, **changes),)


def written(version: str, p: Profile) -> dict:
    """The profile as the version's SetChargingProfile carries it."""
    message = adapters.build(version=version, request=SetChargingProfile(evse_id=1, profile=p))
    return message.payload.get("csChargingProfiles") or message.payload["chargingProfile"]


def refused(version: str, **changes) -> str:
    with pytest.raises(CommandInvalid) as err:
        written(version, profile(**changes))
    return err.value.message


# --- building profiles -----------------------------------------------------------------------


def test_a_16_profile_is_cs_charging_profiles_on_the_connector():
    message = adapters.build(
        version="1.6", request=SetChargingProfile(evse_id=2, profile=profile())
    )
    assert message.action == "SetChargingProfile"
    assert message.payload == {
        "connectorId": 2,
        "csChargingProfiles": {
            "chargingProfileId": 7,
            "stackLevel": 1,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute",
            "chargingSchedule": {
                "chargingRateUnit": "A",
                "startSchedule": "2026-01-05T10:00:00.000Z",
                "duration": 7200,
                "chargingSchedulePeriod": [
                    {"startPeriod": 0, "limit": 16},
                    {"startPeriod": 3600, "limit": 7.5, "numberPhases": 1},
                ],
            },
        },
    }


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
def test_a_2x_profile_is_charging_profile_with_a_list_of_identified_schedules(version):
    message = adapters.build(
        version=version,
        request=SetChargingProfile(
            evse_id=0, profile=profile(purpose="ChargingStationMaxProfile", transaction_id=None)
        ),
    )
    assert message.payload["evseId"] == 0
    sent = message.payload["chargingProfile"]
    assert (sent["id"], sent["chargingProfilePurpose"]) == (7, "ChargingStationMaxProfile")
    assert sent["chargingSchedule"][0]["id"] == 1
    assert sent["chargingSchedule"][0]["chargingSchedulePeriod"][1] == {
        "startPeriod": 3600,
        "limit": 7.5,
        "numberPhases": 1,
    }


def test_the_station_max_profile_keeps_its_16_name():
    payload = written("1.6", profile(purpose="ChargingStationMaxProfile"))
    assert payload["chargingProfilePurpose"] == "ChargePointMaxProfile"


def test_a_tx_profile_names_its_transaction_as_each_version_writes_it():
    tx_profile = profile(purpose="TxProfile", transaction_id="123")
    assert written("1.6", tx_profile)["transactionId"] == 123
    assert written("2.0.1", tx_profile)["transactionId"] == "123"


def test_a_recurring_profile_carries_its_recurrency_and_validity():
    payload = written("2.0.1", profile(kind="Recurring", recurrency="Daily", valid_from=T0))
    assert (payload["recurrencyKind"], payload["validFrom"]) == (
        "Daily",
        "2026-01-05T10:00:00.000Z",
    )


@pytest.mark.parametrize(
    ("version", "changes", "message"),
    [
        (
            "2.0.1",
            {"purpose": "ChargingStationExternalConstraints"},
            charging_profiles.EXTERNAL_CONSTRAINTS_NOT_SET,
        ),
        ("2.0.1", {"purpose": "PriorityCharging"}, shapes.PURPOSE_NEEDS_V21),
        ("1.6", {"purpose": "LocalGeneration"}, shapes.PURPOSE_NEEDS_V21),
        ("2.0.1", {"purpose": "Nope"}, charging_profiles.UNKNOWN_PURPOSE),
        ("2.0.1", {"kind": "Dynamic"}, shapes.KIND_NEEDS_V21),
        ("2.0.1", {"kind": "Recurring"}, charging_profiles.RECURRING_NEEDS_RECURRENCY),
        (
            "1.6",
            {"purpose": "TxProfile", "transaction_id": "abc"},
            v16_profiles.V16_TRANSACTION_ID_NOT_INT,
        ),
        ("2.0.1", {"transaction_id": "1"}, charging_profiles.TRANSACTION_ID_ONLY_FOR_TX),
        ("2.0.1", {"valid_from": T0, "valid_to": T0}, charging_profiles.VALIDITY_ORDER),
        (
            "1.6",
            {"schedules": schedule(SchedulePeriod(0, D("16.25")))},
            v16_profiles.V16_LIMIT_ONE_DECIMAL,
        ),
        (
            "2.0.1",
            {"schedules": schedule(SchedulePeriod(5, D("16")))},
            charging_profiles.FIRST_PERIOD_AT_ZERO,
        ),
        (
            "2.0.1",
            {"schedules": schedule(SchedulePeriod(0, D("16")), SchedulePeriod(0, D("8")))},
            charging_profiles.PERIODS_IN_ORDER,
        ),
        (
            "2.1",
            {"schedules": schedule(SchedulePeriod(0, None))},
            charging_profiles.PERIOD_NEEDS_LIMIT,
        ),
        ("2.0.1", {"schedules": ()}, charging_profiles.SCHEDULE_NEEDS_PERIODS),
        (
            "1.6",
            {"schedules": schedule(SchedulePeriod(0, D(6))) * 2},
            v16_profiles.V16_ONE_SCHEDULE,
        ),
        (
            "2.0.1",
            {"schedules": (Schedule(rate_unit="kW", periods=(SchedulePeriod(0, D(6)),)),)},
            charging_profiles.UNKNOWN_RATE_UNIT,
        ),
    ],
)
def test_what_a_version_cannot_express_is_refused_with_a_reason(version, changes, message):
    assert refused(version, **changes) == message


def test_2x_limits_keep_their_decimals_and_21_takes_its_own_purposes():
    payload = written(
        "2.1",
        profile(purpose="PriorityCharging", schedules=schedule(SchedulePeriod(0, D("11.04")))),
    )
    assert payload["chargingSchedule"][0]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 11.04}
    ]


def test_remote_start_takes_the_version_neutral_profile():
    tx_profile = profile(purpose="TxProfile")
    v16 = adapters.build(
        version="1.6",
        request=requests.RemoteStart(id_token="T", evse_id=1, charging_profile=tx_profile),
    )
    v2x = adapters.build(
        version="2.0.1",
        request=requests.RemoteStart(id_token="T", remote_start_id=1, charging_profile=tx_profile),
    )
    assert v16.payload["chargingProfile"]["chargingProfileId"] == 7
    assert v2x.payload["chargingProfile"]["chargingSchedule"][0]["id"] == 1


# --- clear, composite schedule, get profiles ---------------------------------------------------


def clear(version: str, **criteria):
    return adapters.build(version=version, request=ClearChargingProfile(**criteria))


def test_clear_payloads():
    by_id_16 = clear("1.6", profile_id=7)
    criteria_16 = clear("1.6", evse_id=1, purpose="ChargingStationMaxProfile", stack_level=2)
    by_id_2x = clear("2.0.1", profile_id=7)
    criteria_2x = clear("2.1", evse_id=0, purpose="TxProfile")
    assert by_id_16.payload == {"id": 7}
    assert criteria_16.payload == {
        "connectorId": 1,
        "chargingProfilePurpose": "ChargePointMaxProfile",
        "stackLevel": 2,
    }
    assert by_id_2x.payload == {"chargingProfileId": 7}
    assert criteria_2x.payload == {
        "chargingProfileCriteria": {"evseId": 0, "chargingProfilePurpose": "TxProfile"}
    }
    assert clear("2.0.1").payload == {}


def test_external_constraints_are_not_cleared_by_the_back_office():
    with pytest.raises(CommandInvalid) as err:
        clear("2.0.1", purpose="ChargingStationExternalConstraints")
    assert err.value.message == charging_profiles.EXTERNAL_CONSTRAINTS_NOT_SET


def test_composite_schedule_payloads():
    v16 = adapters.build(version="1.6", request=GetCompositeSchedule(evse_id=1, duration=600))
    v2x = adapters.build(
        version="2.0.1", request=GetCompositeSchedule(evse_id=0, duration=600, rate_unit="W")
    )
    assert v16.payload == {"connectorId": 1, "duration": 600}
    assert v2x.payload == {"evseId": 0, "duration": 600, "chargingRateUnit": "W"}
    with pytest.raises(CommandInvalid) as err:
        adapters.build(version="1.6", request=GetCompositeSchedule(evse_id=1, duration=0))
    assert err.value.message == charging_profiles.DURATION_POSITIVE


def test_get_charging_profiles_payload_names_the_criteria():
    message = adapters.build(
        version="2.0.1",
        request=GetChargingProfiles(
            request_id=5,
            evse_id=1,
            purpose="ChargingStationExternalConstraints",
            profile_ids=(3, 4),
            limit_sources=("EMS",),
        ),
    )
    assert message.payload == {
        "requestId": 5,
        "evseId": 1,
        "chargingProfile": {
            "chargingProfilePurpose": "ChargingStationExternalConstraints",
            "chargingProfileId": [3, 4],
            "chargingLimitSource": ["EMS"],
        },
    }


def test_a_16_station_cannot_list_its_profiles_and_nothing_is_sent():
    station = StationFactory(ocpp_version="1.6")
    with pytest.raises(CommandInvalid) as err:
        profile_commands.get_charging_profiles(station_id=station.pk)
    assert err.value.message == CANNOT_LIST_PROFILES.format(version="1.6")
    assert not Command.objects.exists()


def read_composite(version: str, response: dict):
    request = GetCompositeSchedule(evse_id=1, duration=600)
    return adapters.adapter_for(version).read(request, response)


def test_16_and_2x_composite_schedules_read_the_same():
    period = {"startPeriod": 0, "limit": 10.5, "numberPhases": 3}
    v16 = {
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": "2026-01-05T10:00:00Z",
        "chargingSchedule": {
            "chargingRateUnit": "A",
            "duration": 600,
            "chargingSchedulePeriod": [period],
        },
    }
    v2x = {
        "status": "Accepted",
        "schedule": {
            "evseId": 1,
            "duration": 600,
            "scheduleStart": "2026-01-05T10:00:00Z",
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [period],
        },
    }
    read_16 = read_composite("1.6", v16)
    read_2x = read_composite("2.0.1", v2x)
    assert read_16.schedule == read_2x.schedule
    assert (read_16.evse_id, read_16.start) == (1, T0)
    assert read_2x.schedule.periods == (SchedulePeriod(0, D("10.5"), 3),)
    assert read_2x.schedule.duration == 600


def test_a_rejected_composite_schedule_has_none():
    result = read_composite("2.0.1", {"status": "Rejected"})
    assert result.schedule is None


# --- services against an offline station -----------------------------------------------------


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_a_profile_for_an_offline_station_is_recorded_but_not_installed(version):
    station = StationFactory(ocpp_version=version)
    with pytest.raises(StationNotConnected) as offline:
        profile_commands.set_charging_profile(station_id=station.pk, evse_id=1, profile=profile())
    assert offline.value.command.action == "SetChargingProfile"
    assert offline.value.command.state == Command.State.OFFLINE
    assert not ChargingProfile.objects.exists()


# --- reported profiles -----------------------------------------------------------------------


def reported(profile_id: int) -> dict:
    return {
        "id": profile_id,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Recurring",
        "recurrencyKind": "Daily",
        "chargingSchedule": [
            {
                "id": 1,
                "chargingRateUnit": "W",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000}],
            }
        ],
    }


def test_reported_profiles_are_kept_under_the_request_that_asked_once():
    station = StationFactory(ocpp_version="2.0.1")
    asked = Command.objects.create(
        station=station,
        action="GetChargingProfiles",
        payload={"requestId": 77, "chargingProfile": {}},
    )
    first = profile_commands.report_profiles(
        station_id=station.pk,
        request_id=77,
        evse_id=1,
        limit_source="CSO",
        profiles=[reported_profile(reported(1)), reported_profile(reported(2))],
        tbc=True,
    )
    last = profile_commands.report_profiles(
        station_id=station.pk,
        request_id=77,
        evse_id=0,
        limit_source="EMS",
        profiles=[reported_profile(reported(3))],
    )
    again = profile_commands.report_profiles(
        station_id=station.pk,
        request_id=77,
        evse_id=0,
        limit_source="EMS",
        profiles=[reported_profile(reported(3))],
    )
    assert (first, last, again) == (2, 1, 0)
    rows = ChargingProfile.objects.filter(command=asked).order_by("profile_id")
    assert [(r.profile_id, r.evse_id, r.limit_source) for r in rows] == [
        (1, 1, "CSO"),
        (2, 1, "CSO"),
        (3, 0, "EMS"),
    ]
    row = rows[0]
    assert (row.origin, row.state, row.kind, row.recurrency_kind) == (
        "reported",
        "reported",
        "Recurring",
        "Daily",
    )
    assert row.payload["chargingSchedule"][0]["chargingSchedulePeriod"][0]["limit"] == 11000
