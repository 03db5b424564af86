"""A driver's portal in real Chromium against the real server and simulated chargers (real OCPP
over a socket): sign up, verify the email, add a card; start charging from a connector's QR
link, watch the session live and stop it; stop at an energy limit (set on the start form, or on
the running session: 2.0.1 stopped remotely, 2.1 told the transactionLimit) and find the session
in the history; a reservation of the driver's card; the clear message at an occupied, faulted or
offline connector.

The server of this module writes its emails to files (`Mailbox`), so the verification link is
read from the message the back office really sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django import db
from django.conf import settings
from playwright.sync_api import Page, expect

from backoffice.accounts.models import IdToken
from backoffice.portal.models import DriverSession
from backoffice.portal.services.charging import MESSAGES, Reason
from backoffice.portal.views.display import STATION_OFFLINE
from stations.models import Transaction
from stations.services.commands import remote
from tests.browser.chargers import SimulatedCharger
from tests.browser.conftest import Mailbox
from tests.factories.reservations import ReservationFactory
from tests.factories.stations import StationFactory
from tests.server import LiveOcppServer, start_server

IDENTITY = "CP-QR-1"
PASSWORD = "a-long-driver-password-7"


@pytest.fixture(scope="module")
def live_server_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """This module's own live server: the shared one's settings, writing emails to files."""
    mail_dir = tmp_path_factory.mktemp("mail")
    server = start_server(
        database_name=db.connection.settings_dict["NAME"],
        channel_prefix=settings.CHANNEL_PREFIX,
        # filemail:////abs/dir: django-environ drops the slash after "filemail:///".
        EMAIL_URL=f"filemail:///{mail_dir}",
    )
    yield server
    server.stop()


@pytest.fixture
def mailbox(server: LiveOcppServer) -> Mailbox:
    return Mailbox(server)


@pytest.fixture
def charger(server: LiveOcppServer) -> Iterator[SimulatedCharger]:
    StationFactory(identity=IDENTITY, name="Harbour 1", ocpp_version="1.6")
    with SimulatedCharger(server, IDENTITY, version="1.6") as charger:
        yield charger
    assert charger.errors == []


def kwh(text: str) -> Decimal:
    match = re.search(r"(\d+(?:\.\d+)?)\s*kWh", text)
    assert match, f"no kWh in {text!r}"
    return Decimal(match.group(1))


def in_thread(service: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a sync service (it uses async_to_sync) off this thread, where Playwright's loop
    runs; its own database connection is closed after."""

    def call() -> Any:
        try:
            return service(**kwargs)
        finally:
            db.connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result(timeout=30)


def mark_not_reloaded(page: Page) -> None:
    """Once the page's live socket is open: a marker a reload would wipe."""
    expect(page.locator("body[data-live-state=open]")).to_have_count(1, timeout=15_000)
    page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__notReloaded") is True


def expect_the_page_tells_the_end(page: Page) -> None:
    """The session page of a session that ended: its heading, end time and final energy, and
    no stop button."""
    expect(page.get_by_test_id("session-heading")).to_have_text(re.compile("^Session of "))
    expect(page.get_by_test_id("session-ended")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d "))
    expect(page.get_by_test_id("session-total-energy")).to_have_text(re.compile(r"kWh$"))
    expect(page.get_by_test_id("stop-session")).to_have_count(0)


def unread_count(page: Page) -> int:
    """The menu's unread-notifications count (0 when it shows none)."""
    badge = page.get_by_test_id("unread-count")
    return int(badge.inner_text().split()[0]) if badge.count() else 0


# --- accounts --------------------------------------------------------------------------------


def test_a_driver_signs_up_verifies_the_email_and_adds_a_card(app, server, mailbox):
    page = app.page
    page.goto(app.url("/accounts/signup/"))
    page.get_by_label(re.compile(r"^E-?mail", re.I)).fill("dana@example.com")
    page.get_by_label(re.compile(r"^Password[\s*:]*$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\)|^Confirm password", re.I)).fill(PASSWORD)
    app.screenshot("driver-signup")
    page.get_by_role("button", name=re.compile("Sign up", re.I)).click()
    expect(page.get_by_role("heading", name=re.compile("verify your email", re.I))).to_be_visible()
    app.screenshot("driver-signup-verify")

    # The verification email, as the server sent it, carries the confirmation link.
    message = mailbox.latest(to="dana@example.com")
    link = mailbox.link(message, "/accounts/confirm-email/")
    assert link.startswith(server.http_url)
    page.goto(link)
    app.screenshot("driver-confirm-email")
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()

    # Signed in on the portal's home (LOGIN_REDIRECT_URL sends a driver there).
    expect(page).to_have_url(app.url("/portal/"))
    app.screenshot("driver-home-new")

    # A card of their own, awaiting an operator's approval (DRIVER_TOKENS_NEED_APPROVAL).
    page.goto(app.url("/portal/tokens/"))
    form = page.get_by_test_id("add-card-form")
    form.get_by_label(re.compile(r"^Card number")).fill("04A1B2C3D4")
    form.get_by_label(re.compile(r"^Name")).fill("Blue card")
    form.get_by_role("button", name="Add card").click()
    card_item = page.get_by_test_id("token").filter(has_text="Blue card")
    expect(card_item).to_contain_text("04A1B2C3D4")
    expect(card_item.get_by_test_id("token-status")).to_have_text("awaiting approval")
    app.screenshot("driver-tokens-added")
    card = IdToken.objects.get(id_token="04A1B2C3D4")
    assert card.user is not None and card.user.email == "dana@example.com"
    assert card.awaiting_approval


# --- charging --------------------------------------------------------------------------------


def start_at_qr_link(app, *, energy_kwh: str = "") -> None:
    page = app.page
    page.goto(app.url(f"/portal/start/{IDENTITY}/1/1/"))
    expect(page.get_by_text(str(MESSAGES[Reason.AVAILABLE]))).to_be_visible()
    if energy_kwh:
        page.get_by_text("Limits (optional)").click()
        page.get_by_label("Stop after (kWh)").fill(energy_kwh)
    app.screenshot(f"driver-start-at{'-limit' if energy_kwh else ''}")
    page.get_by_role("button", name="Start charging").click()


def test_a_driver_starts_at_the_qr_link_watches_the_session_and_stops_it(
    app, server, driver, charger
):
    page = app.page
    app.sign_in_as(driver)
    start_at_qr_link(app)

    # The charger got the remote start with the driver's app token and charges.
    assert charger.wait_for(lambda: charger.active and charger.active.transaction_id)
    app_token = driver.driver_profile.app_token  # made by the first start
    assert [c["idTag"] for c in charger.commands("RemoteStartTransaction")] == [app_token.id_token]

    # Home shows the session live: energy and power move without a reload.
    page.goto(app.url("/portal/"))
    card = page.get_by_test_id("session-card")
    expect(card).to_be_visible()
    # Nothing pending: the page has no reason to reload itself (it does when a start lands).
    expect(page.get_by_test_id("pending-start")).to_have_count(0)
    mark_not_reloaded(page)
    energy = card.get_by_test_id("session-energy")
    power = card.get_by_test_id("session-power")
    expect(energy).to_contain_text("kWh")
    first_energy, first_power = energy.inner_text(), power.inner_text()
    expect(energy).not_to_have_text(first_energy)
    expect(power).not_to_have_text(first_power)
    expect(card.get_by_test_id("session-soc")).to_contain_text("%")
    app.screenshot("driver-home-charging")
    assert_not_reloaded(page)

    # The session's own page: the same card, the chart; stop from there.
    card.get_by_role("link", name="Details").click()
    expect(page.get_by_role("heading", name="Charging now")).to_be_visible()
    expect(page.locator("#session-chart")).not_to_have_attribute("data-points", "0")
    mark_not_reloaded(page)
    page.get_by_test_id("stop-session").click()
    expect(page.get_by_test_id("session-state")).to_have_text("Ended")
    expect_the_page_tells_the_end(page)
    app.screenshot("driver-session-stopped")
    tx = charger.active or charger.transactions[-1]
    assert charger.wait_for(lambda: tx.ended)
    assert tx.stop_reason == "Remote"
    session = Transaction.objects.get(transaction_id=tx.transaction_id)
    assert session.state == "completed"
    assert (
        kwh(page.get_by_test_id("session-energy").inner_text()) == Decimal(tx.delivered_wh) / 1000
    )


def test_a_driver_sets_an_energy_limit_and_the_session_stops_at_it(app, server, driver, charger):
    page = app.page
    app.sign_in_as(driver)
    charger.hold = True  # no energy until the session's page watches
    start_at_qr_link(app, energy_kwh="1")
    assert charger.wait_for(lambda: charger.active and charger.active.transaction_id)
    tx = charger.active
    assert tx is not None

    # Home shows the running session with its limit; its page follows it to the end.
    page.goto(app.url("/portal/"))
    card = page.get_by_test_id("session-card")
    expect(card.get_by_test_id("session-limits")).to_contain_text("at 1 kWh")
    app.screenshot("driver-home-limit")
    card.get_by_role("link", name="Details").click()
    expect(page.get_by_role("heading", name="Charging now")).to_be_visible()
    mark_not_reloaded(page)
    unread_before = unread_count(page)
    charger.hold = False

    # The back office stops the charger once a kWh is in; the page tells why, unreloaded, and
    # a notification pops up.
    assert charger.wait_for(lambda: tx.ended, timeout=30)
    assert tx.stop_reason == "Remote" and tx.delivered_wh >= 1000
    expect(page.get_by_test_id("session-state")).to_have_text("Ended")
    expect(page.get_by_test_id("limit-reached")).to_be_visible()
    expect(page.locator(".notification-toast", has_text="Limit reached")).to_be_visible()
    # The whole page follows: heading, details (why it stopped), no more stop or limits form,
    # and the menu counts the new notification.
    expect_the_page_tells_the_end(page)
    expect(page.get_by_test_id("session-limit-reached")).to_have_text(
        re.compile("^Energy limit reached")
    )
    expect(page.get_by_test_id("save-limits")).to_have_count(0)
    page.wait_for_function(
        "n => parseInt(document.querySelector('[data-testid=unread-count]')?.textContent) > n",
        arg=unread_before,
    )
    app.screenshot("driver-session-limit-reached")
    assert_not_reloaded(page)
    driver_session = DriverSession.objects.get(user=driver)
    assert driver_session.limit_reached and driver_session.limit_energy_wh == 1000
    assert [c["transactionId"] for c in charger.commands("RemoteStopTransaction")] == [
        int(tx.transaction_id)
    ]

    # The history lists it with its energy.
    page.goto(app.url("/portal/sessions/"))
    row = page.get_by_test_id("history-row")
    expect(row).to_have_count(1)
    energy = kwh(row.get_by_test_id("history-energy").inner_text())
    assert energy == Decimal(tx.delivered_wh) / 1000
    app.screenshot("driver-history")


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
def test_a_limit_set_on_a_running_2x_session_stops_it(app, server, driver, version):
    identity = f"CP-QR-{version}"
    StationFactory(identity=identity, ocpp_version=version)
    page = app.page
    app.sign_in_as(driver)
    with SimulatedCharger(server, identity, version=version) as charger:
        page.goto(app.url(f"/portal/start/{identity}/1/1/"))
        page.get_by_role("button", name="Start charging").click()
        assert charger.wait_for(lambda: charger.active and charger.active.ticks >= 2)
        charger.hold = True  # the meter waits while the driver sets the limit
        tx = charger.active
        assert tx is not None
        (start,) = charger.commands("RequestStartTransaction")
        assert start["remoteStartId"] == tx.remote_start_id

        # On the running session: stop at 1.5 kWh (0.5 are in).
        session = Transaction.objects.get(transaction_id=tx.transaction_id)
        page.goto(app.url(f"/portal/sessions/{session.pk}/"))
        page.get_by_text("Set a limit").click()
        page.get_by_label("Stop after (kWh)").fill("1.5")
        page.get_by_test_id("save-limits").click()
        expect(page.get_by_test_id("session-limits")).to_contain_text("at 1.5 kWh")
        mark_not_reloaded(page)
        charger.hold = False

        assert charger.wait_for(lambda: tx.ended, timeout=30)
        expect(page.get_by_test_id("session-state")).to_have_text("Ended")
        expect(page.get_by_test_id("limit-reached")).to_be_visible()
        expect_the_page_tells_the_end(page)
        app.screenshot(f"driver-session-limit-{version}")
        assert_not_reloaded(page)
    # A 2.1 station is told the limit (transactionLimit) and stops itself at it; a 2.0.1 one is
    # stopped remotely once its meter shows the limit.
    if version == "2.1":
        assert tx.limit == {"maxEnergy": 1500}
        assert (tx.stop_reason, tx.delivered_wh) == ("EnergyLimitReached", 1500)
        assert charger.commands("RequestStopTransaction") == []
    else:
        assert tx.limit == {}
        assert tx.stop_reason == "Remote" and tx.delivered_wh >= 1500
    assert charger.errors == []


# --- reservations ----------------------------------------------------------------------------


def test_a_driver_finds_a_reservation_of_their_card_and_tries_to_cancel_it(app, server, driver):
    # Made by an operator for the driver's card (drivers reserve themselves in a later issue).
    station = StationFactory(identity=IDENTITY, name="Harbour 1", ocpp_version="1.6")
    reservation = ReservationFactory(
        station=station, id_token=driver.id_tokens.get(), id_tag="DRIVER-TAG"
    )
    page = app.page
    app.sign_in_as(driver)
    page.goto(app.url("/portal/"))
    page.get_by_role("link", name="Reservations").click()
    row = page.get_by_test_id("reservation-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("reservation-status")).to_have_text("accepted")
    app.screenshot("driver-reservations")
    row.get_by_role("link", name="Harbour 1").click()
    expect(page.get_by_role("heading", name="Reservation at Harbour 1")).to_be_visible()

    # The charger is offline: the cancel cannot reach it, and the page says so.
    page.get_by_test_id("cancel-reservation").click()
    expect(page.get_by_text(str(STATION_OFFLINE))).to_be_visible()
    expect(page.get_by_test_id("reservation-status")).to_have_text("accepted")
    app.screenshot("driver-reservation-offline")
    reservation.refresh_from_db()
    assert reservation.status == "accepted"


# --- the connector cannot be started ---------------------------------------------------------


def test_an_offline_charger_says_so_and_offers_no_start(app, server, driver):
    StationFactory(identity=IDENTITY, ocpp_version="1.6")
    app.sign_in_as(driver)
    app.page.goto(app.url(f"/portal/start/{IDENTITY}/1/1/"))
    expect(app.page.get_by_text(str(MESSAGES[Reason.OFFLINE]))).to_be_visible()
    expect(app.page.get_by_role("button", name="Start charging")).to_have_count(0)
    app.screenshot("driver-start-offline")


@pytest.mark.parametrize(
    ("status", "reason"), [("Charging", Reason.OCCUPIED), ("Faulted", Reason.FAULTED)]
)
def test_an_occupied_or_faulted_connector_says_so(app, server, driver, charger, status, reason):
    charger.set_status(status)
    app.sign_in_as(driver)
    app.page.goto(app.url(f"/portal/start/{IDENTITY}/1/1/"))
    expect(app.page.get_by_text(str(MESSAGES[reason]))).to_be_visible()
    expect(app.page.get_by_role("button", name="Start charging")).to_have_count(0)
    app.screenshot(f"driver-start-{reason}")
    assert charger.commands("RemoteStartTransaction") == []


def test_a_2x_connector_in_use_by_another_driver_says_so_until_it_is_free(
    app, server, driver, other_driver
):
    identity = "CP-QR-BUSY"
    station = StationFactory(identity=identity, ocpp_version="2.0.1")
    app.sign_in_as(driver)
    page = app.page
    with SimulatedCharger(server, identity, version="2.0.1") as charger:
        # Another driver charges there with their card (started by an operator, say).
        started = in_thread(
            remote.remote_start, station_id=station.pk, id_token="OTHER-DRIVER-TAG", evse_id=1
        )
        assert started.accepted
        assert charger.wait_for(lambda: charger.active and charger.active.ticks >= 1)
        tx = charger.active
        assert tx is not None

        page.goto(app.url(f"/portal/start/{identity}/1/1/"))
        expect(page.get_by_text(str(MESSAGES[Reason.OCCUPIED]))).to_be_visible()
        expect(page.get_by_role("button", name="Start charging")).to_have_count(0)
        app.screenshot("driver-start-occupied-2x")

        # Once that session is over, checking again offers the start.
        charger.stop_locally()
        assert charger.wait_for(lambda: tx.ended)
        page.get_by_role("link", name="Check again").click()
        expect(page.get_by_text(str(MESSAGES[Reason.AVAILABLE]))).to_be_visible()
        expect(page.get_by_role("button", name="Start charging")).to_be_visible()
    assert charger.commands("RequestStartTransaction")[0]["idToken"]["idToken"] == (
        "OTHER-DRIVER-TAG"
    )
