"""Sessions in a real browser: a 1.6 charger charges while the session page is open; the chart
grows and the final energy appears without a reload."""

from __future__ import annotations

from ocpp.v16 import call as call16
from playwright.sync_api import expect

from stations.models import Transaction
from tests.browser.chargers import ChargerThread
from tests.factories.accounts import IdTokenFactory, StaffProfileFactory
from tests.factories.stations import SiteFactory, StationFactory

T0 = "2026-01-05T10:00:00Z"
# Set before the page's scripts run: live.js says "live:ready" once the server watches for us.
WATCH_READY = (
    "window.__liveReady = false;"
    "document.addEventListener('live:ready', () => { window.__liveReady = true; });"
)


def meter_values(transaction_id: int, timestamp: str, wh: str, kw: str, soc: str):
    return call16.MeterValues(
        connector_id=1,
        transaction_id=transaction_id,
        meter_value=[
            {
                "timestamp": timestamp,
                "sampledValue": [
                    {"value": wh, "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                    {"value": kw, "measurand": "Power.Active.Import", "unit": "kW"},
                    {"value": soc, "measurand": "SoC", "unit": "Percent", "location": "EV"},
                ],
            }
        ],
    )


def test_the_chart_grows_while_a_charger_charges_and_the_end_shows_the_energy(app, server):
    operator = StaffProfileFactory(user__username="olga", role="operator").user
    StationFactory(identity="CP-CHART", site=SiteFactory(name="Harbour"))
    IdTokenFactory(id_token="TAG-CHART", label="Fleet van 3")
    page = app.page
    page.add_init_script(WATCH_READY)
    app.sign_in_as(operator)

    with ChargerThread(server, "CP-CHART") as charger:
        started = charger.call(
            call16.StartTransaction(
                connector_id=1, id_tag="TAG-CHART", meter_start=10000, timestamp=T0
            )
        )
        tx_id = started.transaction_id
        charger.call(meter_values(tx_id, "2026-01-05T10:01:00Z", "10500", "7.2", "20"))
        session = Transaction.objects.get(transaction_id=str(tx_id))

        page.goto(app.url(f"/sessions/{session.pk}/"))
        expect(page).to_have_title(f"Session {tx_id} · CSMS")
        chart = page.locator("#session-chart")
        expect(chart).to_have_attribute("data-points", "1")
        expect(chart.locator("canvas")).to_have_count(1)
        page.wait_for_function("window.__liveReady === true")
        page.evaluate("window.__notReloaded = true")
        energy = page.locator("#session-energy")
        expect(energy).to_have_text("500 Wh")

        charger.call(meter_values(tx_id, "2026-01-05T10:02:00Z", "10620", "7.1", "22"))
        expect(chart).to_have_attribute("data-points", "2")
        charger.call(meter_values(tx_id, "2026-01-05T10:03:00Z", "10740", "7.0", "24"))
        expect(chart).to_have_attribute("data-points", "3")
        expect(energy).to_have_text("740 Wh")
        app.screenshot("session-detail")

        charger.call(
            call16.StopTransaction(
                meter_stop=10800,
                timestamp="2026-01-05T10:04:00Z",
                transaction_id=tx_id,
                reason="EVDisconnected",
            )
        )
        expect(page.locator("[data-testid=session-state]")).to_have_text("Completed")
        expect(energy).to_have_text("800 Wh")
        expect(page.locator("#session-summary")).to_contain_text("EVDisconnected")
        expect(page.locator("#session-summary")).to_contain_text("0:04:00")

    assert page.evaluate("window.__notReloaded") is True

    page.goto(app.url("/sessions/?station=chart"))
    expect(page).to_have_title("Sessions · CSMS")
    row = page.locator("table.sessions tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("CP-CHART")
    expect(row).to_contain_text("0.80 kWh")
    app.screenshot("sessions")
    row.get_by_role("link").first.click()
    expect(page).to_have_url(app.url(f"/sessions/{session.pk}/"))
    expect(page.locator("#session-chart")).to_have_attribute("data-points", "3")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#session-chart")).to_have_attribute("data-points", "3")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    app.screenshot("session-detail-phone")
