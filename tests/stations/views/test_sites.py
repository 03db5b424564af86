"""Sites: scoped list and detail, create and edit by operators only, audited."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import override_settings
from django.urls import reverse

from backoffice.audit.models import AuditEvent
from stations.forms.sites import COORDINATES_BOTH
from stations.models import Site
from tests.factories.stations import SiteFactory, StationFactory

pytestmark = pytest.mark.django_db

SITES = reverse("operator:site_list")
CREATE = reverse("operator:site_create")


def detail(site) -> str:
    return reverse("operator:site_detail", args=[site.pk])


def edit(site) -> str:
    return reverse("operator:site_edit", args=[site.pk])


def stations(site) -> str:
    return reverse("operator:site_stations", args=[site.pk])


@pytest.fixture
def site():
    site = SiteFactory(
        name="Harbour",
        address="1 Quay Street",
        latitude=D("52.520008"),
        longitude=D("13.404954"),
        grid_limit_kw=D("150.00"),
    )
    StationFactory(identity="CP-HARBOUR-1", site=site, status="Available")
    return site


def test_staff_of_every_site_see_every_site(client, viewer, site):
    SiteFactory(name="Airport")
    client.force_login(viewer)
    html = client.get(SITES).content.decode()
    assert "Harbour" in html
    assert "Airport" in html


def test_a_limited_operator_sees_only_their_sites(client, other_site_operator, site):
    client.force_login(other_site_operator)
    html = client.get(SITES).content.decode()
    assert "Other site" in html
    assert "Harbour" not in html
    assert client.get(detail(site)).status_code == 404
    assert client.get(stations(site)).status_code == 404
    assert client.get(edit(site)).status_code == 404
    assert client.post(edit(site), {"name": "Mine now"}).status_code == 404
    assert Site.objects.get(pk=site.pk).name == "Harbour"


def test_the_list_paginates(client, viewer):
    for i in range(55):
        SiteFactory(name=f"Site {i:03d}")
    client.force_login(viewer)
    first = client.get(SITES).content.decode()
    assert "Site 049" in first
    assert "Site 050" not in first
    assert "Site 050" in client.get(SITES + "?page=2").content.decode()


def test_the_detail_shows_address_coordinates_grid_limit_and_stations(client, viewer, site):
    client.force_login(viewer)
    response = client.get(detail(site))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 Quay Street" in html
    assert 'data-latitude="52.520008"' in html
    assert 'data-longitude="13.404954"' in html
    assert "150.00 kW" in html
    assert "CP-HARBOUR-1" in html
    assert "leaflet.js" in html
    # The live table watches its stations.
    assert f"station:{site.stations.get().pk}" in html


@override_settings(MAP_TILE_URL="", MAP_TILE_ATTRIBUTION="")
def test_without_a_tile_url_the_map_has_no_tiles(client, viewer, site):
    client.force_login(viewer)
    html = client.get(detail(site)).content.decode()
    assert 'data-tile-url=""' in html


@override_settings(
    MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png", MAP_TILE_ATTRIBUTION="© Example"
)
def test_the_configured_tile_url_and_attribution_go_to_the_map(client, viewer, site):
    client.force_login(viewer)
    html = client.get(detail(site)).content.decode()
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-attribution="© Example"' in html


def test_a_site_without_coordinates_has_no_map(client, viewer):
    site = SiteFactory(name="Nowhere")
    client.force_login(viewer)
    html = client.get(detail(site)).content.decode()
    assert 'id="site-map"' not in html
    assert "leaflet.js" not in html


def test_the_stations_fragment_is_only_the_table(client, viewer, site):
    client.force_login(viewer)
    html = client.get(stations(site), headers={"HX-Request": "true"}).content.decode()
    assert "CP-HARBOUR-1" in html
    assert "<html" not in html


def test_the_detail_costs_a_fixed_number_of_queries(
    client, viewer, site, django_assert_max_num_queries
):
    for i in range(20):
        StationFactory(identity=f"CP-MANY-{i}", site=site)
    client.force_login(viewer)
    # session, user, profile, site, station count, stations, EVSEs, connectors
    with django_assert_max_num_queries(8):
        assert client.get(detail(site)).status_code == 200


def test_the_list_costs_a_fixed_number_of_queries(client, viewer, django_assert_max_num_queries):
    for _ in range(30):
        StationFactory()
    client.force_login(viewer)
    with django_assert_max_num_queries(5):
        assert client.get(SITES).status_code == 200


def test_an_operator_creates_a_site_and_it_is_audited(client, operator):
    client.force_login(operator)
    response = client.post(
        CREATE,
        {
            "name": "Depot",
            "address": "Yard 3",
            "latitude": "48.1",
            "longitude": "11.5",
            "grid_limit_kw": "400",
            "accepts_all_tokens": "on",
        },
    )
    site = Site.objects.get(name="Depot")
    assert response.status_code == 302
    assert response.url == detail(site)
    assert site.latitude == D("48.1")
    event = AuditEvent.objects.get(action="stations.site_created")
    assert event.actor == operator
    assert event.target_id == str(site.pk)


def test_an_operator_edits_a_site_and_the_change_is_audited(client, operator, site):
    client.force_login(operator)
    response = client.post(
        edit(site),
        {
            "name": "Harbour",
            "address": "2 Quay Street",
            "latitude": "52.520008",
            "longitude": "13.404954",
            "grid_limit_kw": "200",
            "accepts_all_tokens": "on",
        },
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.address == "2 Quay Street"
    assert site.grid_limit_kw == D("200")
    event = AuditEvent.objects.get(action="stations.site_updated")
    assert event.data == {
        "address": {"old": "1 Quay Street", "new": "2 Quay Street"},
        "grid_limit_kw": {"old": "150.00", "new": "200"},
    }


def test_saving_an_unchanged_site_audits_nothing(client, admin, site):
    client.force_login(admin)
    client.post(
        edit(site),
        {
            "name": "Harbour",
            "address": "1 Quay Street",
            "latitude": "52.520008",
            "longitude": "13.404954",
            "grid_limit_kw": "150.00",
            "accepts_all_tokens": "on",
        },
    )
    assert not AuditEvent.objects.filter(action="stations.site_updated").exists()


def test_a_limited_operator_edits_their_own_site(client, other_site_operator):
    own = Site.objects.get(name="Other site")
    client.force_login(other_site_operator)
    response = client.post(
        edit(own), {"name": "Other site", "address": "Here", "accepts_all_tokens": "on"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.address == "Here"


def test_a_limited_operator_cannot_add_sites(client, other_site_operator):
    client.force_login(other_site_operator)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"name": "Sneaky"}).status_code == 403
    assert not Site.objects.filter(name="Sneaky").exists()


def test_a_viewer_reads_but_cannot_write(client, viewer, site):
    client.force_login(viewer)
    assert client.get(detail(site)).status_code == 200
    assert "Edit site" not in client.get(detail(site)).content.decode()
    assert client.post(CREATE, {"name": "Nope"}).status_code == 403
    assert client.post(edit(site), {"name": "Nope"}).status_code == 403
    assert client.get(edit(site)).status_code == 403
    assert not Site.objects.filter(name="Nope").exists()


@pytest.mark.parametrize("name", ["list", "detail", "create"])
def test_a_driver_is_refused(client, driver, site, name):
    url = {"list": SITES, "detail": detail(site), "create": CREATE}[name]
    client.force_login(driver)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "Harbour"}, "name", "already exists"),
        ({"name": "X", "latitude": "91", "longitude": "0"}, "latitude", "between -90 and 90"),
        ({"name": "X", "latitude": "0", "longitude": "-181"}, "longitude", "-180 and 180"),
        ({"name": "X", "latitude": "10"}, "longitude", str(COORDINATES_BOTH)),
        ({"name": "X", "grid_limit_kw": "0"}, "grid_limit_kw", "more than 0 kW"),
    ],
)
def test_invalid_input_shows_errors_next_to_the_field(client, operator, site, data, field, message):
    client.force_login(operator)
    response = client.post(CREATE, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert any(message in error for error in errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not AuditEvent.objects.exists()
