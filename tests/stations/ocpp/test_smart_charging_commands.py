"""Smart charging over real sockets: 1.6, 2.0.1 and 2.1 chargers answering the commands, and
a 2.x station reporting its profiles after GetChargingProfiles."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result as result16
from ocpp.v21 import ChargePoint as Client21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from backoffice.audit.models import AuditEvent
from stations.exceptions import StationNotConnected
from stations.models import ChargingProfile, Command
from stations.services.commands.bus import Caller
from stations.services.smart_charging import profile_commands
from stations.services.smart_charging.charging_profiles import Profile, Schedule, SchedulePeriod
from tests.ocpp_client import REFUSING_CLIENTS, booted, in_thread

pytestmark = pytest.mark.asyncio

SCHEDULE_START = "2026-01-05T10:00:00Z"


class Charger16(Client16):
    answer = "Accepted"
    requests: list[tuple[str, dict]]

    @on("SetChargingProfile")
    async def on_set(self, connector_id, cs_charging_profiles):
        self.requests.append(("SetChargingProfile", {"connector_id": connector_id}))
        return result16.SetChargingProfile(status=self.answer)

    @on("ClearChargingProfile")
    async def on_clear(self, **criteria):
        self.requests.append(("ClearChargingProfile", criteria))
        return result16.ClearChargingProfile(
            status="Accepted" if self.answer == "Accepted" else "Unknown"
        )

    @on("GetCompositeSchedule")
    async def on_composite(self, connector_id, duration, **kw):
        if self.answer != "Accepted":
            return result16.GetCompositeSchedule(status="Rejected")
        return result16.GetCompositeSchedule(
            status="Accepted",
            connector_id=connector_id,
            schedule_start=SCHEDULE_START,
            charging_schedule={
                "charging_rate_unit": "A",
                "duration": duration,
                "charging_schedule_period": [{"start_period": 0, "limit": 13.5}],
            },
        )


def _2x_handlers(results):
    """The same 2.x handlers for the 2.0.1 and 2.1 clients (their call_result modules)."""

    class Handlers:
        answer = "Accepted"
        requests: list[tuple[str, dict]]

        @on("SetChargingProfile")
        async def on_set(self, evse_id, charging_profile, **kw):
            self.requests.append(("SetChargingProfile", {"evse_id": evse_id}))
            return results.SetChargingProfile(status=self.answer)

        @on("ClearChargingProfile")
        async def on_clear(self, **criteria):
            self.requests.append(("ClearChargingProfile", criteria))
            return results.ClearChargingProfile(
                status="Accepted" if self.answer == "Accepted" else "Unknown"
            )

        @on("GetCompositeSchedule")
        async def on_composite(self, duration, evse_id, **kw):
            if self.answer != "Accepted":
                return results.GetCompositeSchedule(status="Rejected")
            return results.GetCompositeSchedule(
                status="Accepted",
                schedule={
                    "evse_id": evse_id,
                    "duration": duration,
                    "schedule_start": SCHEDULE_START,
                    "charging_rate_unit": "A",
                    "charging_schedule_period": [{"start_period": 0, "limit": 13.5}],
                },
            )

        @on("GetChargingProfiles")
        async def on_get_profiles(self, request_id, charging_profile, **kw):
            self.requests.append(("GetChargingProfiles", {"request_id": request_id}))
            return results.GetChargingProfiles(
                status="Accepted" if self.answer == "Accepted" else "NoProfiles"
            )

    return Handlers


class Charger201(_2x_handlers(result201), Client201):
    pass


class Charger21(_2x_handlers(result21), Client21):
    pass


CLIENTS = {
    "1.6": ("ocpp1.6", Charger16),
    "2.0.1": ("ocpp2.0.1", Charger201),
    "2.1": ("ocpp2.1", Charger21),
}
VERSIONS = ["1.6", "2.0.1", "2.1"]
V2X = [("2.0.1", call201), ("2.1", call21)]


@contextlib.asynccontextmanager
async def connected(server, station, version, *, answer="Accepted", handlers=True):
    """A booted charger of `version`; without `handlers` it answers every command with a
    CALLERROR (NotImplemented), as a charger without the feature does."""
    subprotocol, client = CLIENTS[version]
    charger_class = type(client.__name__, (client,), {"requests": [], "answer": answer})
    async with booted(
        server,
        station.identity,
        subprotocol=subprotocol,
        client_class=charger_class if handlers else REFUSING_CLIENTS[subprotocol],
    ) as cp:
        yield cp


def profile(profile_id=7, stack_level=1, purpose="TxDefaultProfile") -> Profile:
    return Profile(
        id=profile_id,
        stack_level=stack_level,
        purpose=purpose,
        kind="Absolute",
        schedules=(
            Schedule(
                rate_unit="A",
                periods=(SchedulePeriod(0, D("16")), SchedulePeriod(1800, D("8.5"))),
                start=datetime(2026, 1, 5, 10, tzinfo=UTC),
            ),
        ),
    )


@pytest.mark.parametrize("version", VERSIONS)
async def test_an_accepted_profile_is_kept_installed_and_replaced_by_the_next(
    server, station, version
):
    async with connected(server, station, version) as cp:
        first = await in_thread(
            profile_commands.set_charging_profile,
            station_id=station.pk,
            evse_id=1,
            profile=profile(),
            caller=Caller(label="test"),
        )
        second = await in_thread(
            profile_commands.set_charging_profile,
            station_id=station.pk,
            evse_id=1,
            profile=profile(profile_id=8),  # same EVSE, stack level and purpose
        )
    assert first.accepted and second.accepted
    assert cp.requests[0][1] == ({"connector_id": 1} if version == "1.6" else {"evse_id": 1})
    first.profile.refresh_from_db()
    assert first.profile.state == ChargingProfile.State.REPLACED
    assert second.profile.state == ChargingProfile.State.INSTALLED
    assert (second.profile.profile_id, second.profile.command) == (8, second.command)
    key = "chargingProfileId" if version == "1.6" else "id"
    assert second.profile.payload[key] == 8
    audit = AuditEvent.objects.get(
        action="stations.charging_profile.install", data__command_id=first.command.pk
    )
    assert (audit.actor_label, audit.target_id) == ("test", str(first.profile.pk))


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_rejected_profile_is_not_kept(server, station, version):
    async with connected(server, station, version, answer="Rejected"):
        result = await in_thread(
            profile_commands.set_charging_profile,
            station_id=station.pk,
            evse_id=0,
            profile=profile(purpose="ChargingStationMaxProfile"),
        )
    assert (result.status, result.profile) == ("Rejected", None)
    assert not ChargingProfile.objects.exists()


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_charger_without_smart_charging_answers_with_a_callerror(server, station, version):
    async with connected(server, station, version, handlers=False):
        result = await in_thread(
            profile_commands.set_charging_profile,
            station_id=station.pk,
            evse_id=1,
            profile=profile(),
        )
        composite = await in_thread(
            profile_commands.get_composite_schedule, station_id=station.pk, evse_id=1, duration=60
        )
    assert result.command.state == Command.State.CALL_ERROR
    assert result.command.error_code == "NotImplemented"
    assert (result.status, result.profile) == ("", None)
    assert composite.command.state == Command.State.CALL_ERROR
    assert composite.schedule is None
    assert not ChargingProfile.objects.exists()


@pytest.mark.parametrize("version", VERSIONS)
async def test_smart_charging_commands_to_an_offline_station_raise_at_once(
    station, server, version
):
    station.ocpp_version = version
    station.save()
    with pytest.raises(StationNotConnected):
        await in_thread(
            profile_commands.clear_charging_profile, station_id=station.pk, profile_id=1
        )
    with pytest.raises(StationNotConnected):
        await in_thread(
            profile_commands.get_composite_schedule, station_id=station.pk, evse_id=0, duration=60
        )
    states = set(Command.objects.filter(station=station).values_list("state", flat=True))
    assert states == {Command.State.OFFLINE}


@pytest.mark.parametrize("version", VERSIONS)
async def test_an_accepted_clear_marks_the_matching_profiles_cleared(server, station, version):
    async with connected(server, station, version) as cp:
        kept = await in_thread(
            profile_commands.set_charging_profile,
            station_id=station.pk,
            evse_id=1,
            profile=profile(),
        )
        other = await in_thread(
            profile_commands.set_charging_profile,
            station_id=station.pk,
            evse_id=0,
            profile=profile(profile_id=9, purpose="ChargingStationMaxProfile"),
        )
        cleared = await in_thread(
            profile_commands.clear_charging_profile,
            station_id=station.pk,
            evse_id=1,
            purpose="TxDefaultProfile",
        )
    assert (cleared.status, cleared.cleared) == ("Accepted", 1)
    kept.profile.refresh_from_db()
    other.profile.refresh_from_db()
    assert kept.profile.state == ChargingProfile.State.CLEARED
    assert kept.profile.clear_command == cleared.command
    assert other.profile.state == ChargingProfile.State.INSTALLED
    action, criteria = cp.requests[-1]
    assert action == "ClearChargingProfile"
    if version == "1.6":
        assert criteria == {"connector_id": 1, "charging_profile_purpose": "TxDefaultProfile"}
    else:
        assert criteria == {
            "charging_profile_criteria": {
                "evse_id": 1,
                "charging_profile_purpose": "TxDefaultProfile",
            }
        }


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_clear_the_station_does_not_know_clears_nothing(server, station, version):
    async with connected(server, station, version) as cp:
        installed = await in_thread(
            profile_commands.set_charging_profile,
            station_id=station.pk,
            evse_id=1,
            profile=profile(),
        )
        cp.answer = "Rejected"
        result = await in_thread(
            profile_commands.clear_charging_profile, station_id=station.pk, profile_id=7
        )
    assert (result.status, result.cleared) == ("Unknown", 0)
    installed.profile.refresh_from_db()
    assert installed.profile.state == ChargingProfile.State.INSTALLED


@pytest.mark.parametrize("version", VERSIONS)
async def test_the_composite_schedule_comes_back_version_neutral(server, station, version):
    async with connected(server, station, version):
        result = await in_thread(
            profile_commands.get_composite_schedule,
            station_id=station.pk,
            evse_id=1,
            duration=900,
            rate_unit="A",
        )
    assert result.accepted
    assert (result.evse_id, result.start) == (1, datetime(2026, 1, 5, 10, tzinfo=UTC))
    assert result.schedule.rate_unit == "A"
    assert result.schedule.duration == 900
    assert result.schedule.periods == (SchedulePeriod(0, D("13.5")),)


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_rejected_composite_schedule_has_no_schedule(server, station, version):
    async with connected(server, station, version, answer="Rejected"):
        result = await in_thread(
            profile_commands.get_composite_schedule, station_id=station.pk, evse_id=1, duration=900
        )
    assert (result.status, result.schedule) == ("Rejected", None)


@pytest.mark.parametrize(("version", "call"), V2X)
async def test_reported_profiles_are_tied_to_the_request_that_asked(server, station, version, call):
    profile_1 = {
        "id": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [
            {
                "id": 1,
                "chargingRateUnit": "W",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000}],
            }
        ],
    }
    profile_2 = {**profile_1, "id": 2, "chargingProfilePurpose": "ChargingStationMaxProfile"}
    async with connected(server, station, version) as cp:
        result = await in_thread(
            profile_commands.get_charging_profiles, station_id=station.pk, stack_level=0
        )
        request_id = cp.requests[0][1]["request_id"]
        # The station reports in two messages, as it may (tbc).
        await cp.call(
            call.ReportChargingProfiles(
                request_id=request_id,
                charging_limit_source="CSO",
                evse_id=1,
                charging_profile=[profile_1],
                tbc=True,
            )
        )
        await cp.call(
            call.ReportChargingProfiles(
                request_id=request_id,
                charging_limit_source="CSO",
                evse_id=0,
                charging_profile=[profile_2],
            )
        )
    assert result.accepted
    assert request_id == result.request_id
    rows = ChargingProfile.objects.filter(command=result.command).order_by("profile_id")
    assert [(r.profile_id, r.evse_id, r.purpose, r.state) for r in rows] == [
        (1, 1, "TxDefaultProfile", "reported"),
        (2, 0, "ChargingStationMaxProfile", "reported"),
    ]
    assert rows[0].payload["chargingSchedule"][0]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 11000}
    ]


@pytest.mark.parametrize(("version", "call"), V2X)
async def test_a_station_without_matching_profiles_says_so(server, station, version, call):
    async with connected(server, station, version, answer="Rejected"):
        result = await in_thread(profile_commands.get_charging_profiles, station_id=station.pk)
    assert (result.status, result.accepted) == ("NoProfiles", False)


@pytest.mark.parametrize(("version", "call"), V2X)
async def test_a_2x_charger_without_get_charging_profiles_answers_with_a_callerror(
    server, station, version, call
):
    async with connected(server, station, version, handlers=False):
        result = await in_thread(profile_commands.get_charging_profiles, station_id=station.pk)
    assert result.command.state == Command.State.CALL_ERROR
    assert result.status == ""


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
async def test_get_charging_profiles_to_an_offline_station_raises_at_once(server, station, version):
    station.ocpp_version = version
    station.save()
    with pytest.raises(StationNotConnected):
        await in_thread(profile_commands.get_charging_profiles, station_id=station.pk)
