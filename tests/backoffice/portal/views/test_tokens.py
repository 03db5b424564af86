"""The driver's cards: list, add (awaiting approval by setting), rename, block and unblock."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backoffice.accounts.models import IdToken
from backoffice.accounts.services import driver_tokens, id_tokens
from backoffice.audit.models import AuditEvent

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_list_shows_the_drivers_tokens_only(client, driver, other_driver):
    response = signed_in(client, driver).get(reverse("portal:tokens"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "DRIVER-TAG" in body
    assert "OTHER-DRIVER-TAG" not in body
    assert 'data-testid="block-token"' in body


def test_a_card_added_waits_for_approval(client, driver, settings):
    settings.DRIVER_TOKENS_NEED_APPROVAL = True
    data = {"type": "ISO14443", "id_token": " 04A1B2C3 ", "label": "Work car"}
    response = signed_in(client, driver).post(reverse("portal:tokens"), data, follow=True)
    body = response.content.decode()
    token = IdToken.objects.get(id_token="04A1B2C3")
    assert (token.user, token.label, token.awaiting_approval) == (driver, "Work car", True)
    assert "awaiting approval" in body
    assert "once the operator approves it" in body


def test_a_card_added_works_at_once_without_approval(client, driver, settings):
    settings.DRIVER_TOKENS_NEED_APPROVAL = False
    data = {"type": "eMAID", "id_token": "DE8ACC12345678", "label": ""}
    response = signed_in(client, driver).post(reverse("portal:tokens"), data, follow=True)
    assert IdToken.objects.get(id_token="DE8ACC12345678").awaiting_approval is False
    assert "it works at the chargers now" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"type": "ISO14443", "id_token": ""}, "id_token"),
        ({"type": "ISO14443", "id_token": "   "}, "id_token"),
        ({"type": "ISO14443", "id_token": "not hex!"}, "id_token"),
        ({"type": "ISO14443", "id_token": "ZZZZ"}, "id_token"),
        ({"type": "MacAddress", "id_token": "00:11"}, "id_token"),
        ({"type": "Central", "id_token": "APP-1"}, "type"),
        ({"type": "nonsense", "id_token": "04A1"}, "type"),
        ({"type": "ISO14443", "id_token": "04A1", "label": "x" * 101}, "label"),
        # Taken by another driver: said at the field, and the other's card is untouched.
        ({"type": "ISO14443", "id_token": "OTHER-DRIVER-TAG"}, "id_token"),
    ],
)
def test_nonsense_cards_get_field_errors(client, driver, other_driver, data, field):
    before = IdToken.objects.count()
    response = signed_in(client, driver).post(reverse("portal:tokens"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert IdToken.objects.count() == before
    assert IdToken.objects.get(id_token="OTHER-DRIVER-TAG").user == other_driver


def test_a_token_is_renamed(client, driver):
    token = driver.id_tokens.get()
    url = reverse("portal:token", args=[token.pk])
    client = signed_in(client, driver)
    assert 'name="label"' in client.get(url).content.decode()
    response = client.post(url, {"label": "Blue card"})
    assert response["Location"] == reverse("portal:tokens")
    token.refresh_from_db()
    assert token.label == "Blue card"
    # Empty: back to showing the value.
    client.post(url, {})
    token.refresh_from_db()
    assert token.label == ""


def test_a_too_long_name_gets_a_field_error(client, driver):
    token = driver.id_tokens.get()
    response = signed_in(client, driver).post(
        reverse("portal:token", args=[token.pk]), {"label": "x" * 101}
    )
    assert response.status_code == 400
    assert "label" in response.context["form"].errors


def test_the_driver_blocks_and_unblocks_their_card(client, driver):
    token = driver.id_tokens.get()
    client = signed_in(client, driver)
    response = client.post(reverse("portal:token_block", args=[token.pk]), follow=True)
    token.refresh_from_db()
    assert token.status == IdToken.Status.BLOCKED
    assert 'data-testid="unblock-token"' in response.content.decode()
    client.post(reverse("portal:token_unblock", args=[token.pk]))
    token.refresh_from_db()
    assert token.status == IdToken.Status.ACCEPTED
    assert AuditEvent.objects.filter(actor=driver, action="accounts.id_token.block").exists()


def test_an_operators_block_stands_and_the_page_says_so(client, driver, operator):
    token = driver.id_tokens.get()
    id_tokens.block(actor=operator, token_pk=token.pk)
    response = signed_in(client, driver).post(
        reverse("portal:token_unblock", args=[token.pk]), follow=True
    )
    token.refresh_from_db()
    assert token.status == IdToken.Status.BLOCKED
    assert str(driver_tokens.BLOCKED_BY_OPERATOR) in response.content.decode()


def test_block_and_unblock_take_posts_only(client, driver):
    token = driver.id_tokens.get()
    client = signed_in(client, driver)
    assert client.get(reverse("portal:token_block", args=[token.pk])).status_code == 405
    assert client.get(reverse("portal:token_unblock", args=[token.pk])).status_code == 405
