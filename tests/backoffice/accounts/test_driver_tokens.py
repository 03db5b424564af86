"""A driver's own tokens: add a card (approval by setting), rename, block, unblock only their
own block; others' tokens are out of reach; every change audited; stations told."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from backoffice.accounts.exceptions import IdTokenChangeRefused, IdTokenInvalid
from backoffice.accounts.models import IdToken
from backoffice.accounts.services import driver_tokens, id_tokens
from backoffice.accounts.services.driver_tokens import (
    BLOCKED_BY_OPERATOR,
    CARD_UNAVAILABLE,
    CARD_YOURS_ALREADY,
    CLAIM_REFUSED,
    ONLY_ACCEPTED_CAN_BE_BLOCKED,
    TOO_MANY_REFUSED,
    TYPE_NOT_ALLOWED,
    VALUE_BAD_CHARACTERS,
    VALUE_HAS_SPACES,
    VALUE_NOT_HEX,
    VALUE_NOT_MAC,
)
from backoffice.accounts.services.id_tokens import TOKEN_EXISTS
from backoffice.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

Status = IdToken.Status
Type = IdToken.Type


def trail(token):
    return list(
        AuditEvent.objects.filter(target_type="accounts.IdToken", target_id=str(token.pk))
        .order_by("pk")
        .values_list("action", "actor__username")
    )


def own(driver):
    return driver.id_tokens.get(id_token="DRIVER-TAG")


# --- add a card ------------------------------------------------------------------------------


def test_a_new_card_waits_for_approval_when_the_setting_says_so(driver, settings):
    settings.DRIVER_TOKENS_NEED_APPROVAL = True
    card = driver_tokens.add_card(
        user=driver, id_token=" 04A1B2C3D4 ", type=Type.ISO14443, label=" Blue "
    )
    assert (card.id_token, card.label, card.user, card.status) == (
        "04A1B2C3D4",
        "Blue",
        driver,
        Status.ACCEPTED,
    )
    assert card.awaiting_approval
    assert trail(card) == [("accounts.id_token.create", "driver")]


def test_a_new_card_is_usable_at_once_without_approval(
    driver, settings, token_changes, django_capture_on_commit_callbacks
):
    settings.DRIVER_TOKENS_NEED_APPROVAL = False
    with django_capture_on_commit_callbacks(execute=True):
        card = driver_tokens.add_card(user=driver, id_token="E0040150A1B2C3D4", type=Type.ISO15693)
    assert not card.awaiting_approval
    assert card.status == Status.ACCEPTED
    # Stations with a local list learn of the new card at once.
    assert token_changes == [(card.pk, False)]


def test_a_card_awaiting_approval_is_not_sent_to_stations(
    driver, settings, token_changes, django_capture_on_commit_callbacks
):
    settings.DRIVER_TOKENS_NEED_APPROVAL = True
    with django_capture_on_commit_callbacks(execute=True):
        driver_tokens.add_card(user=driver, id_token="04A1B2C3D4", type=Type.ISO14443)
    assert token_changes == []


@pytest.mark.parametrize(
    ("value", "type", "message", "field"),
    [
        ("04A1 B2C3", Type.ISO14443, VALUE_HAS_SPACES, "id_token"),
        ("04A1\tB2C3", Type.ISO14443, VALUE_HAS_SPACES, "id_token"),
        ("CARD#1", Type.KEY_CODE, VALUE_BAD_CHARACTERS, "id_token"),
        ("ÄBC", Type.KEY_CODE, VALUE_BAD_CHARACTERS, "id_token"),
        ("04A1XYZ", Type.ISO14443, VALUE_NOT_HEX, "id_token"),
        ("00:1A:2B", Type.MAC_ADDRESS, VALUE_NOT_MAC, "id_token"),
        ("APP-1", Type.CENTRAL, TYPE_NOT_ALLOWED, "type"),
        ("LOCAL-1", Type.LOCAL, TYPE_NOT_ALLOWED, "type"),
        ("X", Type.NO_AUTHORIZATION, TYPE_NOT_ALLOWED, "type"),
    ],
)
def test_a_malformed_card_is_refused_with_a_field_error(driver, value, type, message, field):
    with pytest.raises(IdTokenInvalid) as error:
        driver_tokens.add_card(user=driver, id_token=value, type=type)
    assert (error.value.message, error.value.field) == (str(message), field)
    assert not IdToken.objects.filter(id_token=value).exists()


@pytest.mark.parametrize(
    ("value", "type"),
    [
        ("NL-TNM-C12345678-X", Type.EMAID),
        ("4711", Type.KEY_CODE),
        ("00:1A:2B:3C:4D:5E", Type.MAC_ADDRESS),
        ("001A2B3C4D5E", Type.MAC_ADDRESS),
        ("04a1b2c3d4e5f6", Type.ISO14443),
    ],
)
def test_every_kind_a_driver_holds_can_be_added(driver, value, type):
    assert driver_tokens.add_card(user=driver, id_token=value, type=type).type == type


@pytest.mark.parametrize("value", ["OTHER-DRIVER-TAG", "other-driver-tag", "FLEET-1", "fleet-1"])
def test_a_value_someone_holds_is_refused_without_saying_whose(driver, other_driver, value):
    # Another driver's card or an operator's group token, in any case: one answer for all.
    IdToken.objects.create(id_token="FLEET-1")
    with pytest.raises(IdTokenInvalid) as error:
        driver_tokens.add_card(user=driver, id_token=value, type=Type.KEY_CODE)
    assert (error.value.message, error.value.field) == (str(CARD_UNAVAILABLE), "id_token")
    assert IdToken.objects.filter(id_token__iexact=value).count() == 1
    assert IdToken.objects.get(id_token="OTHER-DRIVER-TAG").user == other_driver
    refusal = AuditEvent.objects.get(action=CLAIM_REFUSED)
    assert (refusal.actor, refusal.data) == (driver, {"id_token": value})


def test_a_case_variant_of_ones_own_card_is_said_to_be_theirs(driver):
    with pytest.raises(IdTokenInvalid) as error:
        driver_tokens.add_card(user=driver, id_token="driver-tag", type=Type.KEY_CODE)
    assert error.value.message == str(CARD_YOURS_ALREADY)


def test_after_a_few_refused_values_every_value_is_refused_for_a_day(
    driver, other_driver, settings
):
    settings.CARD_CLAIMS_REFUSED_PER_DAY = 2
    for _ in range(2):
        with pytest.raises(IdTokenInvalid):
            driver_tokens.add_card(user=driver, id_token="OTHER-DRIVER-TAG", type=Type.KEY_CODE)
    # Now a free value is refused too: trying values no longer tells which are taken.
    with pytest.raises(IdTokenInvalid) as error:
        driver_tokens.add_card(user=driver, id_token="FREE-CARD-1", type=Type.KEY_CODE)
    assert error.value.message == str(TOO_MANY_REFUSED)
    assert not IdToken.objects.filter(id_token="FREE-CARD-1").exists()
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert driver_tokens.add_card(user=driver, id_token="FREE-CARD-1", type=Type.KEY_CODE)


def test_an_operator_cannot_add_a_case_variant_either(operator, driver):
    with pytest.raises(IdTokenInvalid) as error:
        id_tokens.create(actor=operator, id_token="Driver-Tag", type=Type.KEY_CODE)
    assert error.value.message == str(TOKEN_EXISTS)


# --- others' tokens are out of reach ---------------------------------------------------------


@pytest.mark.parametrize("change", ["rename", "block", "unblock"])
def test_another_drivers_token_does_not_exist_for_a_driver(driver, other_driver, change):
    theirs = other_driver.id_tokens.get()
    IdToken.objects.filter(pk=theirs.pk).update(status=Status.BLOCKED)
    kwargs = {"label": "mine now"} if change == "rename" else {}
    with pytest.raises(IdToken.DoesNotExist):
        getattr(driver_tokens, change)(user=driver, token_pk=theirs.pk, **kwargs)
    theirs.refresh_from_db()
    assert (theirs.label, theirs.status) == ("", Status.BLOCKED)
    assert trail(theirs) == []


def test_an_unowned_token_does_not_exist_for_a_driver(driver):
    stray = IdToken.objects.create(id_token="STRAY")
    with pytest.raises(IdToken.DoesNotExist):
        driver_tokens.block(user=driver, token_pk=stray.pk)


# --- rename, block, unblock ------------------------------------------------------------------


def test_a_driver_renames_their_token_once(driver):
    token = own(driver)
    driver_tokens.rename(user=driver, token_pk=token.pk, label="  Work card ")
    driver_tokens.rename(user=driver, token_pk=token.pk, label="Work card")
    token.refresh_from_db()
    assert token.label == "Work card"
    assert trail(token) == [("accounts.id_token.rename", "driver")]


def test_a_driver_blocks_and_unblocks_their_own_card(
    driver, token_changes, django_capture_on_commit_callbacks
):
    token = own(driver)
    with django_capture_on_commit_callbacks(execute=True):
        assert driver_tokens.block(user=driver, token_pk=token.pk).status == Status.BLOCKED
        assert driver_tokens.block(user=driver, token_pk=token.pk).status == Status.BLOCKED
    with django_capture_on_commit_callbacks(execute=True):
        assert driver_tokens.unblock(user=driver, token_pk=token.pk).status == Status.ACCEPTED
    assert trail(token) == [
        ("accounts.id_token.block", "driver"),
        ("accounts.id_token.unblock", "driver"),
    ]
    assert token_changes == [(token.pk, True), (token.pk, False)]


def test_a_driver_cannot_unblock_a_block_an_operator_made(driver, operator):
    token = own(driver)
    id_tokens.block(actor=operator, token_pk=token.pk)
    with pytest.raises(IdTokenChangeRefused) as error:
        driver_tokens.unblock(user=driver, token_pk=token.pk)
    assert error.value.message == str(BLOCKED_BY_OPERATOR)
    token.refresh_from_db()
    assert token.status == Status.BLOCKED
    assert trail(token) == [("accounts.id_token.block", "operator")]


def test_the_last_block_decides_who_may_unblock(driver, operator):
    token = own(driver)
    driver_tokens.block(user=driver, token_pk=token.pk)
    id_tokens.unblock(actor=operator, token_pk=token.pk)
    id_tokens.block(actor=operator, token_pk=token.pk)
    with pytest.raises(IdTokenChangeRefused):
        driver_tokens.unblock(user=driver, token_pk=token.pk)


def test_a_token_made_blocked_cannot_be_unblocked_by_its_driver(driver):
    token = IdToken.objects.create(id_token="BLOCKED-AT-BIRTH", user=driver, status=Status.BLOCKED)
    with pytest.raises(IdTokenChangeRefused):
        driver_tokens.unblock(user=driver, token_pk=token.pk)


@pytest.mark.parametrize("status", [Status.INVALID, Status.EXPIRED])
def test_blocking_a_refused_token_cannot_be_a_way_to_accept_it(driver, status):
    token = own(driver)
    IdToken.objects.filter(pk=token.pk).update(status=status)
    with pytest.raises(IdTokenChangeRefused) as error:
        driver_tokens.block(user=driver, token_pk=token.pk)
    assert error.value.message == str(ONLY_ACCEPTED_CAN_BE_BLOCKED)
    token.refresh_from_db()
    assert token.status == status
    assert trail(token) == []


def test_unblocking_a_token_in_use_changes_nothing(driver):
    token = own(driver)
    assert driver_tokens.unblock(user=driver, token_pk=token.pk).status == Status.ACCEPTED
    assert trail(token) == []
