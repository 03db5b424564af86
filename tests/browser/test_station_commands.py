"""The station page's remote commands panel in a real browser: a remote start answered by a
connected 1.6 charger shows its outcome in place, without a reload; a viewer gets no forms."""

from __future__ import annotations

from django.urls import reverse
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result as result16
from playwright.sync_api import expect

from stations.models import Command
from tests.browser.chargers import ChargerThread
from tests.factories.accounts import IdTokenFactory, StaffProfileFactory
from tests.factories.stations import StationFactory

IDENTITY = "CP-PANEL-16"


class Charger16(Client16):
    @on("RemoteStartTransaction")
    async def on_remote_start(self, id_tag, **kwargs):
        return result16.RemoteStartTransaction(status="Accepted")


def test_an_operator_starts_a_session_from_the_panel_and_sees_it_accepted(app, server):
    StationFactory(identity=IDENTITY)
    IdTokenFactory(id_token="FLEET-0042", label="Van 42")
    app.sign_in_as(StaffProfileFactory(user__username="olga", role="operator").user)
    page = app.page
    with ChargerThread(server, IDENTITY, subprotocol="ocpp1.6", client_class=Charger16):
        page.goto(app.url(reverse("operator:station_detail", args=[IDENTITY])))
        panel = page.locator("#station-commands")
        expect(panel.get_by_role("heading", name="Remote commands")).to_be_visible()
        # A marker on the window: gone if the page reloads.
        page.evaluate("window.__commandsPanel = 'still here'")

        panel.locator("summary", has_text="Remote start").click()
        form = panel.locator("#command-form-remote-start")
        form.get_by_label("Id token").fill("FLEET")
        expect(form.locator("datalist option")).to_have_count(1)
        form.get_by_label("Id token").fill("FLEET-0042")
        form.get_by_role("button", name="Start").click()

        outcome = panel.locator("#command-outcome")
        expect(outcome.locator(".badge.accepted")).to_have_text("Accepted")
        expect(outcome).to_contain_text("RemoteStartTransaction")
        assert page.evaluate("window.__commandsPanel") == "still here"
        # The form stays open with what was sent, ready for another try.
        expect(form.get_by_label("Id token")).to_have_value("FLEET-0042")
        panel.locator("summary", has_text="Reset").click()
        app.screenshot("station-commands")

    command = Command.objects.get(station__identity=IDENTITY)
    assert command.payload == {"idTag": "FLEET-0042"}
    assert command.actor_label == "operator"


def test_a_refused_field_shows_its_error_next_to_it(app, server):
    StationFactory(identity=IDENTITY, ocpp_version="1.6")
    app.sign_in_as(StaffProfileFactory(user__username="olga", role="operator").user)
    page = app.page
    page.goto(app.url(reverse("operator:station_detail", args=[IDENTITY])))
    panel = page.locator("#station-commands")
    panel.locator("summary", has_text="Remote start").click()
    form = panel.locator("#command-form-remote-start")
    form.get_by_label("Id token").fill("AN-ID-TOKEN-OF-MORE-THAN-20")
    form.get_by_role("button", name="Start").click()
    field = panel.locator("#command-form-remote-start .field.has-error")
    expect(field).to_contain_text("OCPP 1.6 id tokens are at most 20 characters.")
    expect(panel.locator("#command-outcome")).to_be_empty()
    assert not Command.objects.exists()


def test_a_viewer_sees_the_panel_without_command_forms(app, server):
    StationFactory(identity=IDENTITY)
    app.sign_in_as(StaffProfileFactory(user__username="vera", role="viewer").user)
    page = app.page
    page.goto(app.url(reverse("operator:station_detail", args=[IDENTITY])))
    panel = page.locator("#station-commands")
    expect(panel).to_contain_text("Your role allows reading only")
    expect(panel.locator("form")).to_have_count(0)
