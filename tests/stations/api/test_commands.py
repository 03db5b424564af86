"""POST /api/v1/stations/<id>/commands/<name>/ and reading commands back, without a charger."""

from __future__ import annotations

import pytest
from rest_framework.test import APIRequestFactory, force_authenticate

from backoffice.audit.models import AuditEvent
from stations.api.command_specs.neutral import ClearCacheInput
from stations.api.commands import (
    CALLER_LABEL,
    COMMAND_NOT_FOR_VERSION,
    ROLE_CANNOT_COMMAND,
    UNKNOWN_COMMAND,
    CommandApi,
)
from stations.api.registry import CommandSpec
from stations.models import Command
from stations.ocpp.v16.outbound import remote as v16_remote
from stations.services.commands import remote
from stations.services.commands.catalogue import V2X
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db


def command_url(identity: str, name: str) -> str:
    return f"/api/v1/stations/{identity}/commands/{name}/"


@pytest.fixture
def station():
    return StationFactory(identity="CP-CMD", ocpp_version="1.6")


def test_a_viewer_is_refused_with_403_and_nothing_is_recorded(api, station, viewer):
    response = api(viewer).post(command_url("CP-CMD", "reset"), {"hard": True})
    assert response.status_code == 403
    assert response.json() == {"detail": ROLE_CANNOT_COMMAND}
    assert not Command.objects.exists()


@pytest.mark.parametrize("who", ["other_site_operator", "driver"])
def test_a_station_outside_the_scope_is_404(api, station, request, who):
    user = request.getfixturevalue(who)
    response = api(user).post(command_url("CP-CMD", "reset"), {"hard": True})
    assert response.status_code == 404
    assert not Command.objects.exists()


def test_anonymous_is_401(api, station):
    assert api().post(command_url("CP-CMD", "reset"), {"hard": True}).status_code == 401


def test_a_bad_body_gets_400_with_field_errors(api, station, operator):
    response = api(operator).post(
        command_url("CP-CMD", "unlock-connector"), {"evse_id": 0, "connector_id": "x"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"evse_id", "connector_id"}
    missing = api(operator).post(command_url("CP-CMD", "reset"), {})
    assert missing.status_code == 400
    assert "hard" in missing.json()
    assert not Command.objects.exists()


def test_what_the_stations_version_cannot_express_is_400_on_its_field(api, station, operator):
    response = api(operator).post(command_url("CP-CMD", "remote-stop"), {"transaction_id": "abc"})
    assert response.status_code == 400
    assert response.json() == {"transaction_id": [v16_remote.V16_TRANSACTION_ID_NOT_INT]}
    assert not Command.objects.exists()


def test_a_payload_the_schema_refuses_is_400_and_not_sent(api, station, operator):
    # 1.6 DataTransfer data is a string: an object breaks the 1.6 schema.
    response = api(operator).post(
        command_url("CP-CMD", "data-transfer"), {"vendor_id": "ACME", "data": {"a": 1}}
    )
    assert response.status_code == 400
    # Named as the OCPP field the schema refused.
    assert list(response.json()) == ["data"]
    assert not Command.objects.exists()


def test_a_timeout_out_of_bounds_is_400(api, station, operator):
    response = api(operator).post(command_url("CP-CMD", "reset") + "?timeout=0", {"hard": True})
    assert response.status_code == 400
    assert "timeout" in response.json()
    too_long = api(operator).post(command_url("CP-CMD", "reset") + "?timeout=9999", {"hard": True})
    assert too_long.status_code == 400


def test_an_offline_station_is_409_with_the_recorded_command(api, station, operator):
    response = api(operator).post(command_url("CP-CMD", "reset") + "?timeout=7", {"hard": True})
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "The station is not connected."
    command = Command.objects.get()
    assert body["command"]["id"] == command.pk
    assert body["command"]["state"] == Command.State.OFFLINE
    assert (body["command"]["action"], body["command"]["payload"]) == ("Reset", {"type": "Hard"})
    # The caller is the user, through the API, with the timeout asked for.
    assert (command.actor, command.actor_label, command.timeout_seconds) == (
        operator,
        CALLER_LABEL,
        7,
    )
    assert body["command"]["actor"] == "operator"
    audit = AuditEvent.objects.get(action="stations.command.Reset")
    assert (audit.actor, audit.actor_label) == (operator, CALLER_LABEL)


def test_an_admin_may_command_too(api, station, admin):
    assert api(admin).post(command_url("CP-CMD", "clear-cache"), {}).status_code == 409


def test_an_unknown_command_is_404_naming_it(api, station, operator):
    response = api(operator).post(command_url("CP-CMD", "make-coffee"), {})
    assert response.status_code == 404
    assert response.json() == {"detail": UNKNOWN_COMMAND.format(name="make-coffee")}


def test_a_command_the_stations_version_does_not_offer_is_400(station, operator):
    spec = CommandSpec(
        name="only-2x",
        service=remote.clear_cache,
        input=ClearCacheInput,
        versions=V2X,
        summary="A 2.x-only command.",
    )
    view = type("Only2xApi", (CommandApi,), {"spec": spec}).as_view()
    request = APIRequestFactory().post("/", {}, format="json")
    force_authenticate(request, operator)
    response = view(request, identity="CP-CMD")
    assert response.status_code == 400
    assert response.data == {
        "non_field_errors": [COMMAND_NOT_FOR_VERSION.format(version="1.6", name="only-2x")]
    }
    assert not Command.objects.exists()


# --- reading commands back -----------------------------------------------------------------


@pytest.fixture
def commands(station, driver):
    other = StationFactory(identity="CP-ELSEWHERE")
    return {
        "mine": Command.objects.create(station=station, action="Reset", payload={}, actor=driver),
        "other": Command.objects.create(station=other, action="ClearCache", payload={}),
    }


def test_a_command_is_read_back_by_staff_who_see_its_station(api, commands, viewer):
    command = commands["mine"]
    response = api(viewer).get(f"/api/v1/commands/{command.pk}/")
    assert response.status_code == 200
    assert response.json()["station"] == "CP-CMD"
    assert response.json()["state"] == "queued"


def test_a_command_outside_the_scope_is_404(api, commands, other_site_operator, other_driver):
    for user in (other_site_operator, other_driver):
        assert api(user).get(f"/api/v1/commands/{commands['mine'].pk}/").status_code == 404


def test_a_driver_reads_only_the_commands_they_asked_for(api, commands, driver):
    assert api(driver).get(f"/api/v1/commands/{commands['mine'].pk}/").status_code == 200
    assert api(driver).get(f"/api/v1/commands/{commands['other'].pk}/").status_code == 404


def test_a_stations_commands_are_listed_newest_first(api, commands, station, operator):
    newer = Command.objects.create(station=station, action="ClearCache", payload={})
    response = api(operator).get(f"/api/v1/stations/{station.identity}/commands/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [newer.pk, commands["mine"].pk]


def test_a_stations_commands_are_404_outside_the_scope(api, commands, other_site_operator):
    response = api(other_site_operator).get("/api/v1/stations/CP-CMD/commands/")
    assert response.status_code == 404
