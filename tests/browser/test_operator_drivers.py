"""The operator's driver pages and card approval in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect

from backoffice.accounts.models import IdToken
from tests.factories.accounts import IdTokenFactory, StaffProfileFactory, UserFactory


def test_an_operator_finds_a_driver_issues_a_card_and_approves_another(app):
    operator = StaffProfileFactory(user__username="olga", role="operator").user
    dana = UserFactory(username="dana", email="dana@example.com", first_name="Dana")
    IdTokenFactory(id_token="04A1B2C3D4", user=dana, label="Blue card", awaiting_approval=True)
    app.sign_in_as(operator)
    page = app.page

    page.goto(app.url("/"))
    page.get_by_role("link", name="Drivers").click()
    page.get_by_role("textbox", name="Search").fill("dana@")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="dana@example.com").click()
    expect(page.get_by_role("heading", name="Driver dana@example.com")).to_be_visible()

    issue = page.locator("form", has=page.get_by_role("button", name="Issue"))
    issue.get_by_label("Card number").fill("04 FF")
    issue.get_by_role("button", name="Issue").click()
    expect(page.locator(".field.has-error")).to_contain_text("Leave out spaces")
    issue = page.locator("form", has=page.get_by_role("button", name="Issue"))
    issue.get_by_label("Card number").fill("04FFEE")
    issue.get_by_label("Label").fill("Fleet card")
    issue.get_by_role("button", name="Issue").click()
    expect(page.get_by_role("row", name="04FFEE")).to_contain_text("Accepted")
    app.screenshot("operator-driver-detail")

    # The card Dana added waits for approval: the filter finds it, the row is approved in place.
    page.goto(app.url("/tokens/"))
    page.get_by_role("link", name="1 card awaits approval").click()
    row = page.locator("tr", has_text="04A1B2C3D4")
    expect(row.get_by_test_id("token-awaiting")).to_be_visible()
    app.screenshot("operator-tokens-awaiting")
    page.evaluate("window.__notReloaded = true")
    row.get_by_role("button", name="Approve 04A1B2C3D4").click()
    expect(row.get_by_test_id("token-awaiting")).to_have_count(0)
    assert page.evaluate("window.__notReloaded") is True
    assert not IdToken.objects.get(id_token="04A1B2C3D4").awaiting_approval
