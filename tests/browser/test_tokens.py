"""Id tokens in a real browser: a bad expiry is shown next to its field; the token is then
added and blocked from the list in place."""

from __future__ import annotations

from playwright.sync_api import expect

from backoffice.accounts.models import IdToken
from backoffice.accounts.services.id_tokens import EXPIRY_IN_PAST
from tests.factories.accounts import IdTokenFactory, StaffProfileFactory


def test_an_operator_adds_a_token_after_a_bad_expiry_and_blocks_it(app, server):
    operator = StaffProfileFactory(user__username="olga", role="operator").user
    IdTokenFactory(id_token="AAA-EXISTING", label="Old card")
    page = app.page
    app.sign_in_as(operator)

    page.goto(app.url("/tokens/"))
    expect(page).to_have_title("Id tokens · CSMS")
    page.get_by_role("link", name="Add an id token").click()
    page.get_by_label("Token value").fill("VAN-7-CARD")
    page.get_by_label("Type").select_option("ISO15693")
    page.get_by_label("Label").fill("Van 7")
    page.get_by_label("Expires at").fill("2020-01-01T10:00")
    page.get_by_role("button", name="Add", exact=True).click()

    error_field = page.locator(".field.has-error")
    expect(error_field).to_have_count(1)
    expect(error_field.locator("label")).to_contain_text("Expires at")
    expect(error_field.get_by_role("alert")).to_have_text(str(EXPIRY_IN_PAST))
    expect(page.get_by_label("Token value")).to_have_value("VAN-7-CARD")
    assert not IdToken.objects.filter(id_token="VAN-7-CARD").exists()

    page.get_by_label("Expires at").fill("2099-06-30T18:00")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("heading", name="Id token VAN-7-CARD")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("VAN-7-CARD")

    page.get_by_role("link", name="All id tokens").click()
    row = page.locator("tr", has_text="VAN-7-CARD")
    expect(row.get_by_test_id("token-status")).to_have_text("Accepted")
    page.evaluate("window.__notReloaded = true")
    row.get_by_role("button", name="Block VAN-7-CARD").click()
    expect(row.get_by_test_id("token-status")).to_have_text("Blocked")
    expect(row.get_by_role("button", name="Unblock VAN-7-CARD")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True
    assert IdToken.objects.get(id_token="VAN-7-CARD").status == IdToken.Status.BLOCKED
    app.screenshot("tokens")
