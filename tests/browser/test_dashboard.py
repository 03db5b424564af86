"""The dashboard follows the network live: a real charger boots and faults, no reload."""

from __future__ import annotations

from ocpp.v16 import call as call16
from playwright.sync_api import expect

from tests.browser.chargers import ChargerThread
from tests.factories.accounts import StaffProfileFactory
from tests.factories.stations import SiteFactory, StationFactory


def test_the_dashboard_updates_live_when_a_charger_boots_and_faults(app, server):
    operator = StaffProfileFactory(user__username="olga", role="operator").user
    StationFactory(identity="CP-LIVE-1")
    StationFactory(identity="CP-IDLE-2")
    page = app.page
    app.sign_in_as(operator)

    page.goto(app.url("/"))
    expect(page).to_have_title("Dashboard · CSMS")
    online = page.locator('[data-stat="online"]')
    faulted = page.locator('[data-stat="faulted"]')
    expect(online).to_have_text("0")
    expect(page.locator('[data-stat="offline"]')).to_have_text("2")
    expect(page.locator("body[data-live-state=open]")).to_have_count(1)
    # Marks this very document: a reload would lose it.
    page.evaluate("window.__notReloaded = true")

    with ChargerThread(server, "CP-LIVE-1") as charger:
        expect(online).to_have_text("1")
        expect(page.locator('[data-stat="offline"]')).to_have_text("1")
        charger.call(
            call16.StatusNotification(connector_id=1, error_code="GroundFailure", status="Faulted")
        )
        expect(faulted).to_have_text("1")
        faults = page.locator("section[aria-labelledby=faults-heading]")
        expect(faults).to_contain_text("CP-LIVE-1")
        expect(faults).to_contain_text("GroundFailure")
        app.screenshot("dashboard")

    expect(online).to_have_text("0")
    assert page.evaluate("window.__notReloaded") is True


def test_a_site_limited_dashboard_follows_its_own_stations_on_a_phone(app, server):
    site = SiteFactory(name="Harbour")
    StationFactory(identity="CP-MINE-1", site=site)
    StationFactory(identity="CP-NOT-MINE")
    user = StaffProfileFactory(user__username="lena", role="operator", sites=[site]).user
    page = app.page
    page.set_viewport_size({"width": 390, "height": 844})
    app.sign_in_as(user)

    page.goto(app.url("/"))
    online = page.locator('[data-stat="online"]')
    expect(online).to_have_text("0")
    expect(page.locator('[data-stat="offline"]')).to_have_text("1")
    expect(page.locator("body[data-live-state=open]")).to_have_count(1)
    page.evaluate("window.__notReloaded = true")

    with ChargerThread(server, "CP-NOT-MINE"), ChargerThread(server, "CP-MINE-1"):
        expect(online).to_have_text("1")
        app.screenshot("dashboard-phone")
    assert page.evaluate("window.__notReloaded") is True
