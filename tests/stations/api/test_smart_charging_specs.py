"""The REST API specs of smart charging and reservations: registered, and their input
serializers give the services exactly their keyword arguments (profiles as dataclasses)."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from reservations import api_specs as reservation_specs
from stations.api.command_specs import smart_charging as smart_charging_specs
from stations.api.registry import specs
from stations.services.commands.catalogue import V2X
from stations.services.smart_charging.charging_profiles import Profile, Schedule, SchedulePeriod

PROFILE = {
    "id": 7,
    "stack_level": 1,
    "purpose": "TxDefaultProfile",
    "kind": "Recurring",
    "recurrency": "Daily",
    "schedules": [
        {
            "rate_unit": "A",
            "start": "2026-01-05T10:00:00Z",
            "periods": [{"start": 0, "limit": "16"}, {"start": 3600, "limit": 7.5}],
        }
    ],
}
NAMES = [
    "set-charging-profile",
    "clear-charging-profile",
    "get-composite-schedule",
    "get-charging-profiles",
    "reserve-now",
    "cancel-reservation",
]


def test_the_commands_are_registered_for_their_versions():
    registered = specs()
    assert set(NAMES) <= set(registered)
    assert registered["get-charging-profiles"].versions == V2X
    assert "1.6" in registered["set-charging-profile"].versions


@pytest.mark.parametrize("name", NAMES)
def test_every_input_field_is_a_keyword_of_the_service(name):
    spec = specs()[name]
    keywords = set(inspect.signature(spec.service).parameters) - {"station_id", "caller"}
    assert set(spec.input().fields) == keywords


def test_a_profile_body_becomes_the_version_neutral_profile():
    body = smart_charging_specs.SetChargingProfileInput(data={"evse_id": 0, "profile": PROFILE})
    assert body.is_valid(), body.errors
    assert body.validated_data == {
        "evse_id": 0,
        "profile": Profile(
            id=7,
            stack_level=1,
            purpose="TxDefaultProfile",
            kind="Recurring",
            recurrency="Daily",
            schedules=(
                Schedule(
                    rate_unit="A",
                    start=datetime(2026, 1, 5, 10, tzinfo=UTC),
                    periods=(SchedulePeriod(0, D("16.000")), SchedulePeriod(3600, D("7.500"))),
                ),
            ),
        ),
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"evse_id": -1, "profile": PROFILE}, "evse_id"),
        ({"evse_id": 1, "profile": {**PROFILE, "purpose": "Fast"}}, "profile"),
        ({"evse_id": 1, "profile": {**PROFILE, "schedules": []}}, "profile"),
        ({"evse_id": 1}, "profile"),
    ],
)
def test_a_bad_profile_body_is_refused(body, field):
    serializer = smart_charging_specs.SetChargingProfileInput(data=body)
    assert not serializer.is_valid()
    assert field in serializer.errors


def test_the_other_smart_charging_bodies():
    clear = smart_charging_specs.ClearChargingProfileInput(data={"purpose": "TxProfile"})
    composite = smart_charging_specs.GetCompositeScheduleInput(
        data={"evse_id": 1, "duration": 600, "rate_unit": "W"}
    )
    listing = smart_charging_specs.GetChargingProfilesInput(
        data={"profile_ids": [1, 2], "limit_sources": ["EMS", "CSO"]}
    )
    assert clear.is_valid() and clear.validated_data == {"purpose": "TxProfile"}
    assert composite.is_valid() and composite.validated_data["duration"] == 600
    assert listing.is_valid() and listing.validated_data["limit_sources"] == ["EMS", "CSO"]
    bad_composite = smart_charging_specs.GetCompositeScheduleInput(
        data={"evse_id": 1, "duration": 0}
    )
    bad_listing = smart_charging_specs.GetChargingProfilesInput(data={"limit_sources": ["Me"]})
    assert not bad_composite.is_valid() and "duration" in bad_composite.errors
    assert not bad_listing.is_valid() and "limit_sources" in bad_listing.errors


def test_reservation_bodies():
    good = reservation_specs.ReserveNowInput(
        data={"id_token": "TAG1", "expires_at": "2026-01-05T12:00:00Z", "evse_id": 2}
    )
    assert good.is_valid(), good.errors
    assert good.validated_data == {
        "id_token": "TAG1",
        "expires_at": datetime(2026, 1, 5, 12, tzinfo=UTC),
        "evse_id": 2,
    }
    missing_expiry = reservation_specs.ReserveNowInput(data={"id_token": "TAG1"})
    assert not missing_expiry.is_valid() and "expires_at" in missing_expiry.errors
    cancel = reservation_specs.CancelReservationInput(data={"reservation_id": "x"})
    assert not cancel.is_valid() and "reservation_id" in cancel.errors
