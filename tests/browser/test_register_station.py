"""Register a station, then connect a real OCPP 1.6 charger with the credentials shown."""

from __future__ import annotations

from ocpp.v16 import call as call16
from playwright.sync_api import expect

from stations.models import Station
from tests.browser.chargers import ChargerThread
from tests.factories.accounts import StaffProfileFactory
from tests.factories.stations import SiteFactory


def test_an_operator_registers_a_station_and_a_charger_connects_with_its_credentials(app, server):
    operator = StaffProfileFactory(user__username="olga", role="operator").user
    SiteFactory(name="Harbour")
    page = app.page
    app.sign_in_as(operator)

    page.goto(app.url("/stations/register/"))
    expect(page).to_have_title("Register a station · CSMS")
    page.get_by_label("Station id").fill("CP 7")
    page.get_by_label("Site").select_option(label="Harbour")
    page.get_by_label("0: no authentication").check()
    expect(page.locator("#profile-0-warning.active")).to_be_visible()
    page.get_by_label("1: HTTP Basic authentication").check()
    expect(page.locator("#profile-0-warning.active")).to_have_count(0)
    page.get_by_role("button", name="Register station").click()
    expect(page.locator(".field.has-error")).to_contain_text("Use only letters, digits")

    page.get_by_label("Station id").fill("CP-BROWSER-7")
    page.get_by_label("Name").fill("Quay bay 7")
    page.get_by_role("button", name="Register station").click()
    expect(page.get_by_role("heading", name="Station CP-BROWSER-7 registered")).to_be_visible()
    url = page.locator("#ocpp-url").inner_text()
    password = page.locator("#station-password").inner_text()
    assert url == server.ws_url("CP-BROWSER-7")
    app.screenshot("station-register")

    # The credentials page, opened again, never shows the password.
    page.goto(app.url("/stations/register/CP-BROWSER-7/"))
    expect(page.locator("#password-hidden")).to_be_visible()
    expect(page.locator("#station-password")).to_have_count(0)
    assert password not in page.content()

    with ChargerThread(server, "CP-BROWSER-7", password=password) as charger:
        boot = charger.call(
            call16.BootNotification(charge_point_vendor="A", charge_point_model="B")
        )
        assert boot.status == "Accepted"
    station = Station.objects.get(identity="CP-BROWSER-7")
    assert station.vendor == "A"
    assert station.site.name == "Harbour"
