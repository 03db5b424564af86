"""Operators' token changes: approve or reject a driver's card (idempotent, audited), and every
change stations must learn of tells token_sync after commit, never on a rollback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from backoffice.accounts.models import IdToken
from backoffice.accounts.services import id_tokens
from backoffice.audit.models import AuditEvent
from tests.factories.accounts import IdTokenFactory

pytestmark = pytest.mark.django_db

Status = IdToken.Status


@pytest.fixture
def waiting(driver):
    return IdTokenFactory(id_token="04A1B2C3D4", user=driver, awaiting_approval=True)


def actions(token):
    return list(
        AuditEvent.objects.filter(target_id=str(token.pk), target_type="accounts.IdToken")
        .order_by("pk")
        .values_list("action", "actor__username")
    )


def test_approving_makes_the_card_usable_once(
    operator, waiting, token_changes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        id_tokens.approve(actor=operator, token_pk=waiting.pk)
        id_tokens.approve(actor=operator, token_pk=waiting.pk)
    waiting.refresh_from_db()
    assert (waiting.awaiting_approval, waiting.status) == (False, Status.ACCEPTED)
    assert actions(waiting) == [("accounts.id_token.approve", "operator")]
    assert token_changes == [(waiting.pk, False)]


def test_rejecting_sets_the_card_invalid_and_keeps_it(
    operator, waiting, token_changes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        id_tokens.reject(actor=operator, token_pk=waiting.pk)
        id_tokens.reject(actor=operator, token_pk=waiting.pk)
    waiting.refresh_from_db()
    assert (waiting.awaiting_approval, waiting.status) == (False, Status.INVALID)
    assert actions(waiting) == [("accounts.id_token.reject", "operator")]
    assert token_changes == [(waiting.pk, True)]


def test_a_rejected_card_cannot_be_approved_afterwards(operator, waiting):
    id_tokens.reject(actor=operator, token_pk=waiting.pk)
    id_tokens.approve(actor=operator, token_pk=waiting.pk)
    waiting.refresh_from_db()
    assert waiting.status == Status.INVALID
    assert [action for action, _ in actions(waiting)] == ["accounts.id_token.reject"]


def test_block_unblock_and_expiry_tell_the_stations(
    operator, token_changes, django_capture_on_commit_callbacks
):
    token = IdTokenFactory(id_token="CARD-1")
    later = timezone.now() + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        id_tokens.block(actor=operator, token_pk=token.pk)
        id_tokens.block(actor=operator, token_pk=token.pk)  # no change: nothing to tell
        id_tokens.unblock(actor=operator, token_pk=token.pk)
        id_tokens.set_expiry(actor=operator, token_pk=token.pk, expires_at=later)
        id_tokens.set_expiry(actor=operator, token_pk=token.pk, expires_at=later + timedelta(1))
        id_tokens.set_expiry(actor=operator, token_pk=token.pk, expires_at=None)
    # An earlier expiry than before counts as a block: caches must drop the old answer.
    assert token_changes == [
        (token.pk, True),
        (token.pk, False),
        (token.pk, True),
        (token.pk, False),
        (token.pk, False),
    ]


def test_a_change_that_rolls_back_tells_no_station(
    operator, token_changes, django_capture_on_commit_callbacks
):
    token = IdTokenFactory(id_token="CARD-1")

    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Abort), transaction.atomic():
            id_tokens.block(actor=operator, token_pk=token.pk)
            raise Abort
        id_tokens.unblock(actor=operator, token_pk=token.pk)  # not blocked: no change
    token.refresh_from_db()
    assert token.status == Status.ACCEPTED
    assert callbacks == []
    assert token_changes == []


def test_the_calls_wait_for_the_commit(operator, token_changes, django_capture_on_commit_callbacks):
    token = IdTokenFactory(id_token="CARD-1")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        id_tokens.block(actor=operator, token_pk=token.pk)
    assert token_changes == []
    assert len(callbacks) == 1
