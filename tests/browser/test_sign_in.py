"""Signing in and out, and changing the password, in a real browser (allauth's pages)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories.accounts import StaffProfileFactory


def test_an_operator_signs_in_changes_the_password_and_signs_out(app):
    operator = StaffProfileFactory(user__username="olga", role="operator").user
    operator.set_password("first-password-9731")
    operator.save()
    page = app.page

    page.goto(app.url("/accounts/password/change/"))
    expect(page).to_have_url(app.url("/accounts/login/?next=/accounts/password/change/"))
    page.get_by_label("Email or username").fill("olga")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("password you specified are not correct")

    # Staff sign in with their username, no email verification asked (the adapter's rule).
    page.get_by_label("Password").fill("first-password-9731")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(app.url("/accounts/password/change/"))
    app.screenshot("password-change")
    page.get_by_label("Current password").fill("first-password-9731")
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".field.has-error")).to_have_count(1)
    page.get_by_label("Current password").fill("first-password-9731")
    page.locator("#id_password1").fill("second-password-5522")
    page.locator("#id_password2").fill("second-password-5522")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Password successfully changed")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(app.url("/accounts/login/"))
    operator.refresh_from_db()
    assert operator.check_password("second-password-5522")


def test_an_operator_signing_in_lands_on_the_dashboard(app):
    operator = StaffProfileFactory(user__username="olga", role="operator").user
    operator.set_password("first-password-9731")
    operator.save()
    page = app.page

    page.goto(app.url("/accounts/login/"))
    page.get_by_label("Email or username").fill(operator.email)
    page.get_by_label("Password").fill("first-password-9731")
    app.screenshot("sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_role("link", name="Drivers").click()
    expect(page.get_by_role("heading", name="Drivers")).to_be_visible()
