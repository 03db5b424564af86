"""The operator's day in one flow, in real Chromium against real OCPP: sign in, watch a charger
come online, start a session from the station page, watch its chart grow, stop it and read the
final energy, all without a reload; a viewer gets no commands."""

from __future__ import annotations

from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from playwright.sync_api import expect

from stations.models import Command, Transaction
from tests.browser.chargers import ChargerThread
from tests.factories.accounts import IdTokenFactory, StaffProfileFactory
from tests.factories.stations import StationFactory

IDENTITY = "CP-DAY-1"
TAG = "FLEET-DAY"


class RemoteControlled16(Client16):
    """Accepts remote start and stop; the test plays the charger's own messages after them."""

    requests: list[str] = []

    @on("RemoteStartTransaction")
    async def on_remote_start(self, id_tag, **kwargs):
        self.requests.append(f"start {id_tag}")
        return result16.RemoteStartTransaction(status="Accepted")

    @on("RemoteStopTransaction")
    async def on_remote_stop(self, transaction_id):
        self.requests.append(f"stop {transaction_id}")
        return result16.RemoteStopTransaction(status="Accepted")


def meter_values(transaction_id: int, minute: int, wh: int) -> call16.MeterValues:
    return call16.MeterValues(
        connector_id=1,
        transaction_id=transaction_id,
        meter_value=[
            {
                "timestamp": f"2026-11-24T09:{minute:02d}:00Z",
                "sampledValue": [
                    {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                    {"value": "11", "measurand": "Power.Active.Import", "unit": "kW"},
                ],
            }
        ],
    )


def test_an_operator_runs_a_session_from_the_browser(app, server):
    operator = StaffProfileFactory(user__username="olga", role="operator").user
    operator.set_password("operator-day-password-1")
    operator.save()
    StationFactory(identity=IDENTITY, ocpp_version="1.6")
    IdTokenFactory(id_token=TAG, label="Van 7")
    page = app.page

    # Sign in through the form and open the station.
    page.goto(app.url("/accounts/login/"))
    page.get_by_label("Email or username").fill("olga")
    page.get_by_label("Password").fill("operator-day-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    app.screenshot("flow-dashboard")
    page.goto(app.url(f"/stations/{IDENTITY}/"))
    expect(page.locator("#station-presence")).to_have_text("offline")
    expect(page.locator("body[data-live-state=open]")).to_have_count(1)
    page.evaluate("window.__notReloaded = true")

    charger_class = type("Charger", (RemoteControlled16,), {"requests": []})
    with ChargerThread(server, IDENTITY, client_class=charger_class) as charger:
        expect(page.locator("#station-presence")).to_have_text("online")

        # Remote start from the commands panel, answered by the charger.
        panel = page.locator("#station-commands")
        panel.locator("summary", has_text="Remote start").click()
        start_form = panel.locator("#command-form-remote-start")
        start_form.get_by_label("Id token").fill(TAG)
        start_form.get_by_role("button", name="Start").click()
        expect(panel.locator("#command-outcome .badge.accepted")).to_have_text("Accepted")
        assert charger_class.requests == [f"start {TAG}"]

        # The charger starts charging; the station page shows the session.
        started = charger.call(
            call16.StartTransaction(
                connector_id=1, id_tag=TAG, meter_start=1000, timestamp="2026-11-24T09:00:00Z"
            )
        )
        tx_id = started.transaction_id
        charger.call(meter_values(tx_id, 1, 1400))
        session_link = page.get_by_role("link", name=f"#{tx_id}")
        expect(session_link).to_be_visible()
        app.screenshot("flow-station")

        # The session page, in a second tab, draws the chart and grows with new values.
        session = Transaction.objects.get(transaction_id=str(tx_id))
        session_page = app.context.new_page()
        session_page.goto(app.url(f"/sessions/{session.pk}/"))
        chart = session_page.locator("#session-chart")
        expect(chart).to_have_attribute("data-points", "1")
        expect(session_page.locator("body[data-live-state=open]")).to_have_count(1)
        session_page.wait_for_timeout(500)  # the page's watch reaches the server
        charger.call(meter_values(tx_id, 2, 1800))
        expect(chart).to_have_attribute("data-points", "2")
        charger.call(meter_values(tx_id, 3, 2200))
        expect(chart).to_have_attribute("data-points", "3")

        # Remote stop from the station page: the form already lists the session (live).
        panel.locator("summary", has_text="Remote stop").click()
        stop_form = panel.locator("#command-form-remote-stop")
        expect(stop_form.get_by_label("Session")).to_contain_text(str(tx_id))
        stop_form.get_by_role("button", name="Stop").click()
        expect(panel.locator("#command-outcome")).to_contain_text("Remote stop")
        expect(panel.locator("#command-outcome .badge.accepted")).to_have_text("Accepted")
        assert charger_class.requests[-1] == f"stop {tx_id}"
        charger.call(
            call16.StopTransaction(
                meter_stop=2500,
                timestamp="2026-11-24T09:04:00Z",
                transaction_id=tx_id,
                reason="Remote",
            )
        )
        expect(session_page.locator("[data-testid=session-state]")).to_have_text("Completed")
        expect(session_page.locator("#session-energy")).to_have_text("1500 Wh")
        app.screenshot("flow-station-after")

    assert page.evaluate("window.__notReloaded") is True
    assert Command.objects.filter(station__identity=IDENTITY, actor=operator).count() == 2


def test_a_viewer_sees_the_station_but_no_commands(app, server):
    StationFactory(identity=IDENTITY)
    app.sign_in_as(StaffProfileFactory(user__username="vera", role="viewer").user)
    page = app.page
    page.goto(app.url(f"/stations/{IDENTITY}/"))
    expect(page.get_by_role("heading", name=IDENTITY, level=1)).to_be_visible()
    expect(page.locator("#station-commands form")).to_have_count(0)
    expect(page.locator("#station-commands")).to_contain_text("reading only")
