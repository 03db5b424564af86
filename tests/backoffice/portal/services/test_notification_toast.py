"""In the browser: a signed-in driver's page shows each notification as a toast, live."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from backoffice.lib import live_publisher as publisher
from backoffice.lib.live_interest import Interest
from backoffice.portal.models import Notification
from backoffice.portal.services import notifications

# The browser tests' Chromium and page, as tests/browser uses them.
from tests.browser.conftest import app, browser  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_a_notification_pops_up_on_the_drivers_page(app, driver):  # noqa: F811
    app.sign_in_as(driver)
    app.page.goto(app.url("/portal/"))
    toasts = app.page.locator("#notification-toasts")
    expect(toasts).to_have_attribute("data-live", "me")
    # Watching: live.js sets this once the socket is open (and "me" was asked for).
    expect(app.page.locator("body")).to_have_attribute("data-live-state", "open")
    # The server registered the watch (shared through Redis); this process reads the watched
    # set at most once a second, so one more second and it sees it.
    group = publisher.user_group(driver.pk)
    for _ in range(100):
        if group in Interest().watched():
            break
        app.page.wait_for_timeout(100)
    app.page.wait_for_timeout(1100)

    # From another thread, as the OCPP server or a task would: Playwright's loop runs in this one.
    with ThreadPoolExecutor(1) as pool:
        notification = pool.submit(
            notifications.notify,
            user=driver,
            kind=Notification.Kind.CHARGING_FINISHED,
            title="Charging finished",
            body="Your car stopped drawing power at CP-1.",
        ).result()
        toast = toasts.locator(".notification-toast")
        # Live events may be lost on a loaded machine (pages then catch up on the next one):
        # push it again a few times until it shows; the page shows it once however often.
        for _ in range(5):
            if toast.count():
                break
            app.page.wait_for_timeout(2000)
            pool.submit(notifications.push, notification).result()
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text("Charging finished")
    expect(toast).to_contain_text("Your car stopped drawing power at CP-1.")
    expect(toast.get_by_role("link")).to_have_attribute("href", "/portal/notifications/")
    app.screenshot("portal-notification-toast")
    toast.get_by_role("button").click()
    expect(toast).to_have_count(0)
