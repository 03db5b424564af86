"""The station pages in a real browser, with a real OCPP 1.6 charger on the live server: the
list, then the detail page following the charger live (status, message log) and an inline
configuration change the charger answers."""

from __future__ import annotations

import re

from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from playwright.sync_api import expect

from stations.models import Connector, Evse
from tests.browser.chargers import ChargerThread
from tests.factories.stations import SiteFactory, StationFactory


class Configurable16(Client16):
    """A 1.6 charger with two configuration keys, one of them writable."""

    values: dict[str, str]

    @on("GetConfiguration")
    async def on_get_configuration(self, key=None):
        return result16.GetConfiguration(
            configuration_key=[
                {"key": "HeartbeatInterval", "readonly": False, "value": self.values["hb"]},
                {"key": "NumberOfConnectors", "readonly": True, "value": "1"},
            ]
        )

    @on("ChangeConfiguration")
    async def on_change_configuration(self, key, value):
        if key != "HeartbeatInterval":
            return result16.ChangeConfiguration(status="Rejected")
        self.values["hb"] = value
        return result16.ChangeConfiguration(status="Accepted")


def test_the_station_list_filters_and_links_to_the_detail(app, operator):
    site = SiteFactory(name="Depot")
    for n in range(3):
        station = StationFactory(
            identity=f"CP-LIST-{n}", site=site, vendor="Acme", model="Volt", ocpp_version="1.6"
        )
        evse = Evse.objects.create(station=station, evse_id=1)
        Connector.objects.create(evse=evse, connector_id=1, status="Available")
    StationFactory(identity="CP-OTHER", vendor="Other", ocpp_version="2.0.1")
    app.sign_in_as(operator)
    page = app.page

    page.goto(app.url("/stations/"))
    expect(page).to_have_title(re.compile("^Stations"))
    expect(page.locator("tbody tr")).to_have_count(4)
    app.screenshot("stations")
    page.get_by_label("Search").fill("acme")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(3)
    page.get_by_role("link", name="Station", exact=True).click()
    expect(page.locator("tbody tr").first).to_contain_text("CP-LIST-2")
    page.get_by_role("link", name="CP-LIST-2").click()
    expect(page.get_by_role("heading", name="CP-LIST-2", level=1)).to_be_visible()


def test_the_detail_page_follows_a_real_charger_live(app, operator):
    station = StationFactory(identity="CP.LIVE-1", ocpp_version="1.6")
    app.sign_in_as(operator)
    page = app.page
    page.goto(app.url("/stations/CP.LIVE-1/"))
    expect(page.get_by_role("heading", name="CP.LIVE-1", level=1)).to_be_visible()
    expect(page.locator("body[data-live-state=open]")).to_have_count(1)
    expect(page.locator("#station-presence")).to_have_text("offline")
    expect(page.locator(".offline-note")).to_be_visible()
    expect(page.locator("#frames")).to_contain_text("No frame logged")

    Configurable16.values = {"hb": "300"}
    with ChargerThread(app.server, station.identity, client_class=Configurable16) as charger:
        charger.call(
            call16.StatusNotification(connector_id=1, error_code="NoError", status="Preparing")
        )
        # No reload: the fragments follow the station's events.
        expect(page.locator("#station-presence")).to_have_text("online")
        expect(page.locator(".offline-note")).to_be_hidden()
        status = page.locator("#connector-1-1 [data-testid=connector-status]")
        expect(status).to_have_text("Preparing")
        expect(page.locator("#frames")).to_contain_text("StatusNotification")
        expect(page.locator("#frames")).to_contain_text("BootNotification")
        charger.call(
            call16.StatusNotification(connector_id=1, error_code="NoError", status="Charging")
        )
        expect(status).to_have_text("Charging")

        # The configuration, read from the charger, then changed inline.
        page.get_by_role("button", name="Read from station").click()
        expect(page.locator("#configuration .outcome")).to_contain_text("Accepted")
        field = page.get_by_label("New value of HeartbeatInterval")
        expect(field).to_have_value("300")
        expect(page.get_by_label("New value of NumberOfConnectors")).to_have_count(0)
        field.fill("60")
        row = page.locator(
            "#configuration tr", has=page.get_by_label("New value of HeartbeatInterval")
        )
        row.get_by_role("button", name="Save").click()
        expect(row.locator(".outcome")).to_contain_text("Accepted")
        expect(page.get_by_label("New value of HeartbeatInterval")).to_have_value("60")
        assert Configurable16.values["hb"] == "60"
        # The command history follows the finished commands.
        expect(page.locator("#station-history")).to_contain_text("ChangeConfiguration")
        expect(page.locator("#frames")).to_contain_text("ChangeConfiguration")
        app.screenshot("station-detail")
    expect(page.locator("#station-presence")).to_have_text("offline")
