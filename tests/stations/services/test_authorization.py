from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stations.models import Transaction
from stations.services import authorization
from tests.factories.accounts import IdTokenFactory
from tests.factories.stations import StationFactory

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_unknown_tokens_are_invalid(db):
    assert authorization.authorize(id_tag="NOPE", now=NOW).status == "Invalid"


def test_an_expired_token_is_expired_and_keeps_its_expiry(db):
    token = IdTokenFactory(expires_at=NOW - timedelta(seconds=1))
    info = authorization.authorize(id_tag=token.id_token, now=NOW)
    assert (info.status, info.expires_at) == ("Expired", token.expires_at)


def test_a_token_expiring_later_is_accepted(db):
    token = IdTokenFactory(expires_at=NOW + timedelta(days=1))
    assert authorization.authorize(id_tag=token.id_token, now=NOW).status == "Accepted"


def test_a_blocked_token_stays_blocked_after_expiry(db):
    token = IdTokenFactory(status="Blocked", expires_at=NOW - timedelta(days=1))
    assert authorization.authorize(id_tag=token.id_token, now=NOW).status == "Blocked"


def test_an_expired_group_blocks_its_members(db):
    IdTokenFactory(id_token="GROUP", expires_at=NOW - timedelta(days=1))
    token = IdTokenFactory(group_id_token="GROUP")
    info = authorization.authorize(id_tag=token.id_token, now=NOW)
    assert (info.status, info.group_id_token) == ("Blocked", "GROUP")


def test_an_active_session_makes_a_second_concurrent_unless_allowed(db):
    token = IdTokenFactory()
    tx = Transaction.objects.create(
        station=StationFactory(), transaction_id="1", id_tag=token.id_token
    )
    assert authorization.authorize(id_tag=token.id_token, now=NOW).status == "ConcurrentTx"
    excluded = authorization.authorize(id_tag=token.id_token, exclude_transaction_pk=tx.pk, now=NOW)
    assert excluded.status == "Accepted"
    token.allow_concurrent_transactions = True
    token.save()
    assert authorization.authorize(id_tag=token.id_token, now=NOW).status == "Accepted"
