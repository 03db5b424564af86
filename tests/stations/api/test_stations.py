"""GET /api/v1/stations/ and /api/v1/stations/<id>/: scoped per role, with live status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stations.models import Connector, Evse, StationConnection, Worker
from tests.factories.accounts import StaffProfileFactory
from tests.factories.stations import SiteFactory, StationFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/stations/"


def detail(identity: str) -> str:
    return f"/api/v1/stations/{identity}/"


def identities(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["identity"] for row in response.json()["results"]]


def connect(station, *, beat_ago: timedelta = timedelta(0), version: str = "1.6"):
    """Put the station in the connection registry, held by a worker that beat `beat_ago`."""
    now = timezone.now()
    worker = Worker.objects.create(
        name=f"test-{station.identity}", started_at=now, beat_at=now - beat_ago
    )
    return StationConnection.objects.create(
        station=station,
        worker=worker,
        channel_name="specific.test!1",
        ocpp_version=version,
        connected_at=now,
    )


@pytest.fixture
def stations():
    """CP-A at site A (online), CP-B at site B (offline)."""
    a = StationFactory(identity="CP-A", site=SiteFactory(name="A"), ocpp_version="2.0.1")
    b = StationFactory(identity="CP-B", site=SiteFactory(name="B"))
    connect(a, version="2.0.1")
    return a, b


def test_anonymous_requests_are_refused_with_401(api, stations):
    response = api().get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert api().get(detail("CP-A")).status_code == 401


@pytest.mark.parametrize("who", ["admin", "operator", "viewer"])
def test_staff_of_every_site_see_every_station(api, stations, request, who):
    user = request.getfixturevalue(who)
    assert identities(api(user).get(LIST)) == ["CP-A", "CP-B"]


def test_a_superuser_without_profile_sees_every_station(api, stations, admin_user):
    assert identities(api(admin_user).get(LIST)) == ["CP-A", "CP-B"]


def test_an_operator_limited_to_a_site_sees_only_its_stations(api, stations):
    a, _ = stations
    user = StaffProfileFactory(sites=[a.site]).user
    assert identities(api(user).get(LIST)) == ["CP-A"]
    assert api(user).get(detail("CP-A")).status_code == 200
    assert api(user).get(detail("CP-B")).status_code == 404


def test_outsiders_see_no_station_and_get_404_for_one(api, stations, other_site_operator, driver):
    for user in (other_site_operator, driver):
        assert identities(api(user).get(LIST)) == []
        response = api(user).get(detail("CP-A"))
        assert response.status_code == 404
    # The same answer as for a station that does not exist: ids cannot be probed.
    assert api(driver).get(detail("NO-SUCH")).json() == response.json()


def test_the_list_is_filtered_by_site_and_by_online(api, stations, operator):
    a, b = stations
    client = api(operator)
    assert identities(client.get(LIST, {"site": b.site_id})) == ["CP-B"]
    assert identities(client.get(LIST, {"online": "true"})) == ["CP-A"]
    assert identities(client.get(LIST, {"online": "false"})) == ["CP-B"]
    assert identities(client.get(LIST, {"online": "false", "site": a.site_id})) == []


def test_bad_filters_get_400_with_field_errors(api, stations, operator):
    response = api(operator).get(LIST, {"site": "x", "online": "maybe"})
    assert response.status_code == 400
    assert set(response.json()) == {"site", "online"}


def test_a_dead_workers_connection_counts_as_offline(api, operator):
    station = StationFactory(identity="CP-STALE")
    connect(station, beat_ago=timedelta(hours=1))
    body = api(operator).get(detail("CP-STALE")).json()
    assert body["online"] is False
    assert body["connection"] is None
    assert identities(api(operator).get(LIST, {"online": "true"})) == []


def test_the_detail_gives_live_status_evses_and_connectors(api, stations, viewer):
    a, _ = stations
    booted_at = timezone.now() - timedelta(minutes=5)
    a.last_boot_at = booted_at
    a.status = "Available"
    a.save()
    evse = Evse.objects.create(station=a, evse_id=1)
    Connector.objects.create(evse=evse, connector_id=2, status="Charging")
    Connector.objects.create(evse=evse, connector_id=1, status="Faulted", error_code="Other")
    body = api(viewer).get(detail("CP-A")).json()
    assert body["online"] is True
    assert body["ocpp_version"] == "2.0.1"
    assert body["connection"]["ocpp_version"] == "2.0.1"
    assert body["site"] == {"id": a.site_id, "name": "A"}
    assert body["last_boot_at"] == booted_at.isoformat().replace("+00:00", "Z")
    assert [
        (c["connector_id"], c["status"], c["error_code"]) for c in body["evses"][0]["connectors"]
    ] == [(1, "Faulted", "Other"), (2, "Charging", "")]
    assert body["evses"][0]["evse_id"] == 1


def test_the_list_is_paginated(api, operator):
    for n in range(3):
        StationFactory(identity=f"CP-P{n}")
    first = api(operator).get(LIST, {"page_size": 2}).json()
    assert first["count"] == 3
    assert [row["identity"] for row in first["results"]] == ["CP-P0", "CP-P1"]
    second = api(operator).get(first["next"]).json()
    assert [row["identity"] for row in second["results"]] == ["CP-P2"]


def test_the_list_costs_a_fixed_number_of_queries(api, operator, django_assert_max_num_queries):
    for n in range(5):
        station = StationFactory(identity=f"CP-Q{n}")
        Connector.objects.create(
            evse=Evse.objects.create(station=station, evse_id=1), connector_id=1
        )
    client = api(operator)
    # profile + sites, count, page, EVSEs, connectors
    with django_assert_max_num_queries(6):
        assert len(identities(client.get(LIST))) == 5
