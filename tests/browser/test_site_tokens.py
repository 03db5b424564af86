"""A private site's tokens picked on the site form, with its search box, in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect

from stations.models import Site
from tests.factories.accounts import IdTokenFactory, StaffProfileFactory
from tests.factories.stations import SiteFactory


def test_an_operator_makes_a_site_private_picking_a_fleet_with_the_search_box(app, server):
    operator = StaffProfileFactory(user__username="olga", role="operator").user
    site = SiteFactory(name="Depot")
    IdTokenFactory(id_token="FLEET-7", label="Acme fleet")
    IdTokenFactory(id_token="CARD-1")
    IdTokenFactory(id_token="CARD-2")
    page = app.page
    app.sign_in_as(operator)

    page.goto(app.url(f"/sites/{site.pk}/edit/"))
    page.get_by_label("Accepts every valid token").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field.has-error")).to_contain_text("must accept at least one token")

    tokens = page.get_by_label("Tokens accepted here")
    search = page.get_by_role("searchbox", name="Search tokens…")
    search.fill("fleet")
    expect(tokens.locator("option:not([hidden])")).to_have_count(1)
    tokens.select_option(label="FLEET-7 · “Acme fleet”")
    # A chosen token stays in sight while the search looks for others.
    search.fill("card-1")
    expect(tokens.locator("option:not([hidden])")).to_have_text(
        ["CARD-1", "FLEET-7 · “Acme fleet”"]
    )
    search.press("Enter")  # does not submit the form
    page.wait_for_timeout(500)
    expect(page.get_by_role("heading", name="Edit Depot")).to_be_visible()
    assert Site.objects.get(pk=site.pk).accepts_all_tokens is True
    app.screenshot("site-private-tokens")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Depot")).to_be_visible()

    site = Site.objects.get(pk=site.pk)
    assert site.accepts_all_tokens is False
    assert [token.id_token for token in site.allowed_id_tokens.all()] == ["FLEET-7"]
