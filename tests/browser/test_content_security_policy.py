"""The Content-Security-Policy is enforced on every page, and the pages keep to it: the main
operator and driver pages load in Chromium with the policy on and not one violation reported
(no inline script or handler, no injected style, no eval in htmx triggers)."""

from __future__ import annotations

from decimal import Decimal

from ocpp.v16 import call as call16
from playwright.sync_api import ConsoleMessage, Page, Response, expect

from backoffice.accounts.models import DriverProfile
from stations.models import Transaction
from tests.browser.chargers import ChargerThread
from tests.factories.accounts import IdTokenFactory, StaffProfileFactory, UserFactory
from tests.factories.stations import SiteFactory, StationFactory

# Set before the page's own scripts: every violation the browser reports, in the page.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


class PolicyWatch:
    """Each page's CSP header and every violation, in the console and in the page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str, *, style_src: str = "'self'", blocked: str | None = None) -> None:
        """Open `url`; no violation but, when given, loading `blocked` (a URL from outside)."""
        response: Response | None = self.page.goto(url)
        assert response is not None and response.status == 200, url
        header = response.headers.get("content-security-policy", "")
        policy = dict(directive.strip().split(" ", 1) for directive in header.split(";"))
        assert policy["script-src"] == "'self'", (url, header)
        assert policy["style-src"] == style_src, (url, header)
        # Deferred scripts, htmx's first requests and the live socket have run.
        self.page.wait_for_load_state("networkidle")
        in_page = [
            seen
            for seen in self.page.evaluate("window.__cspViolations")
            if not (blocked and blocked in seen)
        ]
        console = [seen for seen in self.console if not (blocked and blocked in seen)]
        assert in_page == [], (url, in_page)
        assert console == [], (url, console)
        self.console.clear()


def charged_session(server, station_identity: str, token: str) -> Transaction:
    with ChargerThread(server, station_identity) as charger:
        charger.call(
            call16.StatusNotification(connector_id=1, error_code="NoError", status="Available")
        )
        started = charger.call(
            call16.StartTransaction(
                connector_id=1, id_tag=token, meter_start=1000, timestamp="2026-01-05T10:00:00Z"
            )
        )
        charger.call(
            call16.MeterValues(
                connector_id=1,
                transaction_id=started.transaction_id,
                meter_value=[
                    {
                        "timestamp": "2026-01-05T10:01:00Z",
                        "sampledValue": [
                            {"value": "1500", "measurand": "Energy.Active.Import.Register"}
                        ],
                    }
                ],
            )
        )
    return Transaction.objects.get(transaction_id=str(started.transaction_id))


def test_operator_pages_load_with_the_policy_enforced_and_no_violation(app, server):
    operator = StaffProfileFactory(user__username="olga", role="admin").user
    operator.is_staff = operator.is_superuser = True  # the Django admin's pages too
    operator.save(update_fields=["is_staff", "is_superuser"])
    site = SiteFactory(name="Harbour", latitude=Decimal("52.37"), longitude=Decimal("4.89"))
    StationFactory(identity="CP-CSP-1", site=site)
    IdTokenFactory(id_token="TAG-CSP")
    session = charged_session(server, "CP-CSP-1", "TAG-CSP")
    watch = PolicyWatch(app.page)
    app.sign_in_as(operator)

    for path in [
        "/",
        "/sites/",
        f"/sites/{site.pk}/",
        "/stations/",
        "/stations/CP-CSP-1/",
        "/stations/CP-CSP-1/qr/",
        "/stations/register/",
        "/sessions/",
        f"/sessions/{session.pk}/",
        "/tokens/",
        "/drivers/",
        "/admin/",
        "/admin/stations/station/",
    ]:
        watch.visit(app.url(path))
    watch.visit(app.url("/api/docs/"))
    expect(app.page.locator("#swagger-ui .information-container")).to_be_visible()
    # Redoc styles itself with injected <style> elements: its page alone allows inline styles.
    # Its "by Redocly" badge asks for a logo from its vendor's CDN, which the policy keeps out.
    watch.visit(
        app.url("/api/redoc/"),
        style_src="'self' 'unsafe-inline'",
        blocked="https://cdn.redoc.ly/",
    )
    expect(app.page.locator("redoc h1")).to_be_visible()


def test_portal_and_sign_in_pages_load_with_the_policy_enforced_and_no_violation(app, server):
    StationFactory(identity="CP-CSP-2", site=SiteFactory(name="Quay"))
    driver = UserFactory(username="dora", email="dora@example.com")
    DriverProfile.objects.create(user=driver)
    IdTokenFactory(id_token="TAG-DORA", user=driver)
    session = charged_session(server, "CP-CSP-2", "TAG-DORA")
    watch = PolicyWatch(app.page)

    watch.visit(app.url("/accounts/login/"))
    watch.visit(app.url("/accounts/signup/"))
    app.sign_in_as(driver)
    for path in [
        "/portal/",
        "/portal/start/",
        "/portal/start/CP-CSP-2/1/1/",
        "/portal/sessions/",
        f"/portal/sessions/{session.pk}/",
        "/portal/tokens/",
        "/portal/reservations/",
        "/portal/notifications/",
        "/portal/profile/",
    ]:
        watch.visit(app.url(path))
