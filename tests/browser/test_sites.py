"""The site page: its map with no outside request, and its stations' status live."""

from __future__ import annotations

from decimal import Decimal as D

from ocpp.v16 import call as call16
from playwright.sync_api import expect

from tests.browser.chargers import ChargerThread
from tests.factories.accounts import StaffProfileFactory
from tests.factories.stations import SiteFactory, StationFactory


def test_the_site_map_renders_without_outside_requests_and_status_is_live(app, server):
    viewer = StaffProfileFactory(user__username="vera", role="viewer").user
    site = SiteFactory(
        name="Harbour",
        address="1 Quay Street, Hamburg",
        latitude=D("53.541000"),
        longitude=D("9.984000"),
        grid_limit_kw=D("150.00"),
    )
    StationFactory(identity="CP-HARBOUR-1", site=site, name="Bay 1")
    StationFactory(identity="CP-HARBOUR-2", site=site)
    page = app.page
    app.sign_in_as(viewer)

    page.goto(app.url(f"/sites/{site.pk}/"))
    expect(page).to_have_title("Harbour · CSMS")
    expect(page.locator("#site-map[data-map-ready=true]")).to_have_count(1)
    expect(page.locator("#site-map .leaflet-marker-icon")).to_be_visible()
    # MAP_TILE_URL is empty: no tile layer, nothing fetched but the app's own files.
    assert page.locator("#site-map .leaflet-tile").count() == 0
    expect(page.get_by_text("150.00 kW")).to_be_visible()
    row = page.locator("tr[data-station=CP-HARBOUR-1]")
    expect(row).to_contain_text("offline")
    expect(page.locator("body[data-live-state=open]")).to_have_count(1)

    with ChargerThread(server, "CP-HARBOUR-1") as charger:
        expect(row).to_contain_text("online")
        charger.call(
            call16.StatusNotification(connector_id=1, error_code="NoError", status="Available")
        )
        expect(row).to_contain_text("1: Available")
        app.screenshot("site-detail")
    expect(row).to_contain_text("offline")


def test_an_operator_adds_a_site_with_errors_shown_next_to_the_fields(app, server):
    operator = StaffProfileFactory(user__username="olga", role="operator").user
    page = app.page
    app.sign_in_as(operator)

    page.goto(app.url("/sites/"))
    page.get_by_role("link", name="Add a site").click()
    page.get_by_label("Name").fill("Depot")
    page.get_by_label("Latitude").fill("48.137154")
    page.get_by_role("button", name="Add site").click()
    longitude = page.locator(".field.has-error")
    expect(longitude).to_have_count(1)
    expect(longitude).to_contain_text("Give both latitude and longitude")
    page.get_by_label("Longitude").fill("11.576124")
    page.get_by_role("button", name="Add site").click()
    expect(page.get_by_role("heading", name="Depot")).to_be_visible()
    expect(page.locator("#site-map .leaflet-marker-icon")).to_be_visible()
