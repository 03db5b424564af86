"""The station list: scoped by role, searched, filtered, sorted, paginated, live rows, and a
fixed number of queries per page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stations.models import Connector, Evse, Station, StationConnection, Worker
from tests.factories.stations import SiteFactory, StationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("operator:station_list")


def _online(station: Station) -> None:
    now = timezone.now()
    worker, _ = Worker.objects.get_or_create(
        name="w1", defaults={"started_at": now, "beat_at": now}
    )
    StationConnection.objects.create(
        station=station,
        worker=worker,
        channel_name=f"c{station.pk}",
        ocpp_version="1.6",
        connected_at=now,
    )


def _connectors(station: Station, *statuses: str) -> None:
    for number, status in enumerate(statuses, start=1):
        evse = Evse.objects.create(station=station, evse_id=number)
        Connector.objects.create(evse=evse, connector_id=1, status=status)


def _identities(response) -> list[str]:
    return [station.identity for station in response.context["page_obj"]]


def _get(client, user, **params):
    client.force_login(user)
    return client.get(LIST, params)


def test_it_needs_a_signed_in_member_of_staff(client, driver):
    assert client.get(LIST).status_code == 302
    client.force_login(driver)
    assert client.get(LIST).status_code == 403


def test_staff_see_only_the_stations_of_their_sites(client, operator, viewer, other_site_operator):
    StationFactory(identity="CP-MAIN")
    own = StationFactory(identity="CP-OWN", site=other_site_operator.staff_profile.sites.get())
    for user in (operator, viewer):
        assert _identities(_get(client, user)) == ["CP-MAIN", "CP-OWN"]
    response = _get(client, other_site_operator)
    assert _identities(response) == [own.identity]
    assert "CP-MAIN" not in response.content.decode()


def test_it_renders_rows_with_their_status_and_live_wiring(client, operator):
    station = StationFactory(
        identity="CP.DOT.1", name="Garage", vendor="Acme", model="X1", ocpp_version="1.6"
    )
    _connectors(station, "Charging", "Faulted")
    _online(station)
    page = _get(client, operator).content.decode()
    assert f'data-live="station:{station.pk}"' in page
    assert reverse("operator:station_row", args=["CP.DOT.1"]) in page
    assert reverse("operator:station_detail", args=["CP.DOT.1"]) in page
    assert "1: Charging" in page
    assert "2: Faulted" in page
    assert 'class="badge online"' in page
    assert "<title>Stations" in page


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("cp-a", ["CP-A1", "CP-A2"]),
        ("garage", ["CP-A1"]),
        ("ACME", ["CP-A2"]),
        ("model-z", ["CP-B1"]),
        ("SN-77", ["CP-B1"]),
        ("BOX-9", ["CP-A2"]),
        ("nothing", []),
    ],
)
def test_it_searches_identity_name_vendor_model_and_serial(client, operator, search, found):
    StationFactory(identity="CP-A1", name="Garage north")
    StationFactory(identity="CP-A2", vendor="Acme", charge_box_serial_number="BOX-9")
    StationFactory(identity="CP-B1", model="Model-Z", serial_number="SN-77")
    assert _identities(_get(client, operator, q=search)) == found


def test_it_filters_by_site_status_version_and_presence(client, operator):
    north, south = SiteFactory(name="North"), SiteFactory(name="South")
    charging = StationFactory(identity="CP-1", site=north, ocpp_version="1.6")
    _connectors(charging, "Charging")
    _online(charging)
    faulted = StationFactory(identity="CP-2", site=south, ocpp_version="2.0.1", status="Faulted")
    _connectors(faulted, "Available")
    StationFactory(identity="CP-3", site=south, ocpp_version="2.1")

    assert _identities(_get(client, operator, site=north.pk)) == ["CP-1"]
    assert _identities(_get(client, operator, site=south.pk)) == ["CP-2", "CP-3"]
    assert _identities(_get(client, operator, status="Charging")) == ["CP-1"]
    # The station's own status counts as much as a connector's.
    assert _identities(_get(client, operator, status="Faulted")) == ["CP-2"]
    assert _identities(_get(client, operator, status="Available")) == ["CP-2"]
    assert _identities(_get(client, operator, ocpp_version="2.1")) == ["CP-3"]
    assert _identities(_get(client, operator, online="yes")) == ["CP-1"]
    assert _identities(_get(client, operator, online="no")) == ["CP-2", "CP-3"]
    assert _identities(
        _get(client, operator, site=south.pk, online="no", ocpp_version="2.0.1")
    ) == ["CP-2"]


def test_a_bad_filter_value_shows_an_error_next_to_its_field(client, operator):
    StationFactory(identity="CP-1")
    response = _get(client, operator, ocpp_version="9.9")
    assert response.status_code == 200
    assert response.context["form"].errors["ocpp_version"]
    assert 'class="field has-error"' in response.content.decode()


def test_another_sites_station_cannot_be_picked_as_filter(client, other_site_operator):
    outside = SiteFactory(name="Not mine")
    response = _get(client, other_site_operator, site=outside.pk)
    assert "site" in response.context["form"].errors


def test_it_sorts_by_identity_site_status_and_last_seen(client, operator):
    now = timezone.now()
    StationFactory(
        identity="CP-B", site=SiteFactory(name="Alpha"), status="Faulted", last_seen_at=now
    )
    StationFactory(
        identity="CP-A",
        site=SiteFactory(name="Gamma"),
        status="Available",
        last_seen_at=now - timedelta(hours=1),
    )
    StationFactory(identity="CP-C", site=SiteFactory(name="Beta"), status="", last_seen_at=None)

    assert _identities(_get(client, operator)) == ["CP-A", "CP-B", "CP-C"]
    assert _identities(_get(client, operator, sort="-identity")) == ["CP-C", "CP-B", "CP-A"]
    assert _identities(_get(client, operator, sort="site")) == ["CP-B", "CP-C", "CP-A"]
    assert _identities(_get(client, operator, sort="-site")) == ["CP-A", "CP-C", "CP-B"]
    assert _identities(_get(client, operator, sort="status")) == ["CP-C", "CP-A", "CP-B"]
    # Never seen stays last either way.
    assert _identities(_get(client, operator, sort="last_seen")) == ["CP-A", "CP-B", "CP-C"]
    assert _identities(_get(client, operator, sort="-last_seen")) == ["CP-B", "CP-A", "CP-C"]


def test_sort_links_keep_the_filters_and_flip_the_direction(client, operator):
    StationFactory(identity="CP-1", ocpp_version="1.6")
    response = _get(client, operator, ocpp_version="1.6", sort="site")
    links = response.context["sort_links"]
    assert links["site"] == "?ocpp_version=1.6&sort=-site"
    assert links["identity"] == "?ocpp_version=1.6&sort=identity"
    assert response.context["query"] == "ocpp_version=1.6&sort=site"


def test_it_paginates_fifty_a_page_in_a_fixed_number_of_queries(
    client, operator, django_assert_max_num_queries
):
    site = SiteFactory()
    stations = Station.objects.bulk_create(
        Station(identity=f"CP-{n:03d}", site=site, status="Available") for n in range(120)
    )
    evses = Evse.objects.bulk_create(
        Evse(station=station, evse_id=e) for station in stations for e in (1, 2)
    )
    Connector.objects.bulk_create(Connector(evse=evse, connector_id=1) for evse in evses)
    for station in stations[::3]:
        _online(station)
    client.force_login(operator)

    # Session, user, staff profile, sites (filter form), count, page, EVSEs, connectors.
    with django_assert_max_num_queries(9):
        first = client.get(LIST, {"online": "no", "q": "CP", "sort": "-last_seen"})
    assert len(first.context["page_obj"]) == 50
    assert first.context["page_obj"].paginator.count == 80
    with django_assert_max_num_queries(9):
        last = client.get(LIST, {"page": 3})
    assert len(last.context["page_obj"]) == 20
    page = last.content.decode()
    assert "Page 3 of 3" in page
    assert page.count('data-live="station:') == 20


def test_a_row_renders_alone_for_its_live_refresh(client, operator, other_site_operator):
    station = StationFactory(identity="CP.ROW")
    _connectors(station, "Preparing")
    url = reverse("operator:station_row", args=["CP.ROW"])
    client.force_login(operator)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="station-row-{station.pk}"')
    assert "1: Preparing" in body
    client.force_login(other_site_operator)
    assert client.get(url).status_code == 404


def test_each_row_shows_the_stations_security_profile(client, operator):
    StationFactory(identity="CP-OPEN", security_profile=Station.SecurityProfile.NONE)
    StationFactory(identity="CP-MTLS", security_profile=Station.SecurityProfile.TLS_CLIENT_CERT)
    html = _get(client, operator).content.decode()
    # Profile 0 stands out: no authentication at all.
    assert (
        '<span class="badge warning" title="0: no authentication (trusted networks only)">'
        "profile 0</span>"
    ) in html
    assert '<span class="badge" title="3: TLS with a client certificate">profile 3</span>' in html
