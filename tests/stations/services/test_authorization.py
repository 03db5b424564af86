"""Each rule of the authorization service, against the database (no socket)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stations.models import Transaction
from stations.services.charging import authorization
from tests.factories.accounts import IdTokenFactory, UserFactory
from tests.factories.stations import SiteFactory, StationFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def cache_one_day(settings):
    settings.OCPP_AUTH_CACHE_SECONDS = 86400


@pytest.fixture
def station():
    return StationFactory()


@pytest.fixture
def private_station():
    return StationFactory(site=SiteFactory(accepts_all_tokens=False))


def authorize(id_tag, station, **kwargs):
    return authorization.authorize(
        id_tag=id_tag, station_id=station.pk if station else None, now=NOW, **kwargs
    )


# --- the token itself ------------------------------------------------------------------------


def test_unknown_tokens_are_invalid_without_expiry(station):
    info = authorize("NOPE", station)
    assert (info.status, info.expires_at, info.token_pk) == ("Invalid", None, None)


def test_an_accepted_token_may_be_cached_for_the_configured_time(station):
    token = IdTokenFactory()
    info = authorize(token.id_token, station)
    assert (info.status, info.expires_at, info.token_pk) == ("Accepted", NOW + DAY, token.pk)


def test_a_token_expiring_before_the_cache_time_caps_the_cache_expiry(station):
    token = IdTokenFactory(expires_at=NOW + timedelta(hours=2))
    info = authorize(token.id_token, station)
    assert (info.status, info.expires_at) == ("Accepted", NOW + timedelta(hours=2))


def test_no_cache_time_leaves_only_the_token_expiry(station, settings):
    settings.OCPP_AUTH_CACHE_SECONDS = 0
    assert authorize(IdTokenFactory().id_token, station).expires_at is None
    later = IdTokenFactory(expires_at=NOW + 30 * DAY)
    assert authorize(later.id_token, station).expires_at == NOW + 30 * DAY


def test_an_expired_token_is_expired_and_keeps_its_expiry(station):
    token = IdTokenFactory(expires_at=NOW - timedelta(seconds=1))
    info = authorize(token.id_token, station)
    assert (info.status, info.expires_at) == ("Expired", token.expires_at)


@pytest.mark.parametrize("status", ["Blocked", "Expired", "Invalid"])
def test_a_token_answers_its_own_status(station, status):
    assert authorize(IdTokenFactory(status=status).id_token, station).status == status


def test_a_blocked_token_stays_blocked_after_expiry(station):
    token = IdTokenFactory(status="Blocked", expires_at=NOW - DAY)
    assert authorize(token.id_token, station).status == "Blocked"


def test_a_card_awaiting_approval_is_invalid(station):
    token = IdTokenFactory(awaiting_approval=True)
    assert authorize(token.id_token, station).status == "Invalid"


def test_the_card_of_a_disabled_account_is_blocked(station):
    token = IdTokenFactory(user=UserFactory(is_active=False))
    assert authorize(token.id_token, station).status == "Blocked"
    token.user.is_active = True
    token.user.save()
    assert authorize(token.id_token, station).status == "Accepted"


def test_no_authorization_is_accepted_without_a_token(station):
    info = authorize("", station, token_type="NoAuthorization")
    assert (info.status, info.token_pk) == ("Accepted", None)


def test_an_empty_token_of_another_type_is_invalid(station):
    assert authorize("", station, token_type="ISO14443").status == "Invalid"


# --- groups ----------------------------------------------------------------------------------


def test_the_answer_names_the_group_and_its_type(station):
    IdTokenFactory(id_token="FLEET", type="Central")
    token = IdTokenFactory(group_id_token="FLEET")
    info = authorize(token.id_token, station)
    assert (info.status, info.group_id_token, info.group_id_token_type) == (
        "Accepted",
        "FLEET",
        "Central",
    )


def test_a_group_the_back_office_does_not_know_is_named_without_a_type(station):
    token = IdTokenFactory(group_id_token="ELSEWHERE")
    info = authorize(token.id_token, station)
    assert (info.status, info.group_id_token, info.group_id_token_type) == (
        "Accepted",
        "ELSEWHERE",
        None,
    )


@pytest.mark.parametrize(
    "group", [{"status": "Blocked"}, {"status": "Invalid"}, {"expires_at": NOW - DAY}]
)
def test_a_blocked_or_expired_group_blocks_its_members(station, group):
    IdTokenFactory(id_token="GROUP", **group)
    token = IdTokenFactory(group_id_token="GROUP")
    info = authorize(token.id_token, station)
    assert (info.status, info.group_id_token) == ("Blocked", "GROUP")


def test_a_group_expiring_first_caps_the_cache_expiry(station):
    IdTokenFactory(id_token="GROUP", expires_at=NOW + timedelta(hours=3))
    token = IdTokenFactory(group_id_token="GROUP", expires_at=NOW + timedelta(hours=5))
    assert authorize(token.id_token, station).expires_at == NOW + timedelta(hours=3)


# --- sites -----------------------------------------------------------------------------------


def test_a_private_site_refuses_tokens_it_does_not_list(private_station):
    token = IdTokenFactory()
    info = authorize(token.id_token, private_station)
    assert (info.status, info.token_pk) == ("NotAtThisLocation", token.pk)


def test_a_private_site_accepts_a_listed_token(private_station):
    token = IdTokenFactory()
    private_station.site.allowed_id_tokens.add(token)
    assert authorize(token.id_token, private_station).status == "Accepted"


def test_a_private_site_accepts_the_cards_of_a_listed_group(private_station):
    group = IdTokenFactory(id_token="FLEET")
    private_station.site.allowed_id_tokens.add(group)
    member = IdTokenFactory(group_id_token="FLEET")
    other = IdTokenFactory(group_id_token="OTHER-FLEET")
    assert authorize(member.id_token, private_station).status == "Accepted"
    assert authorize(other.id_token, private_station).status == "NotAtThisLocation"


def test_a_token_listed_at_another_site_is_refused(private_station):
    token = IdTokenFactory()
    SiteFactory(accepts_all_tokens=False).allowed_id_tokens.add(token)
    assert authorize(token.id_token, private_station).status == "NotAtThisLocation"


def test_an_open_site_and_a_station_without_site_accept_every_valid_token():
    token = IdTokenFactory()
    assert authorize(token.id_token, StationFactory()).status == "Accepted"
    assert authorize(token.id_token, StationFactory(site=None)).status == "Accepted"
    assert authorize(token.id_token, None).status == "Accepted"


def test_a_blocked_token_is_blocked_at_a_private_site_that_lists_it(private_station):
    token = IdTokenFactory(status="Blocked")
    private_station.site.allowed_id_tokens.add(token)
    assert authorize(token.id_token, private_station).status == "Blocked"


# --- concurrent transactions -----------------------------------------------------------------


def test_an_active_session_makes_a_second_concurrent_unless_allowed(station):
    token = IdTokenFactory()
    tx = Transaction.objects.create(station=station, transaction_id="1", id_tag=token.id_token)
    assert authorize(token.id_token, station).status == "ConcurrentTx"
    assert authorize(token.id_token, station, exclude_transaction_pk=tx.pk).status == "Accepted"
    token.allow_concurrent_transactions = True
    token.save()
    assert authorize(token.id_token, station).status == "Accepted"


def test_a_completed_session_or_a_group_members_session_is_not_concurrent(station):
    IdTokenFactory(id_token="GROUP")
    token = IdTokenFactory(group_id_token="GROUP")
    Transaction.objects.create(
        station=station, transaction_id="1", id_tag=token.id_token, state="completed"
    )
    Transaction.objects.create(station=station, transaction_id="2", id_tag="GROUP")
    assert authorize(token.id_token, station).status == "Accepted"


# --- cost ------------------------------------------------------------------------------------


def test_one_query_answers_a_card_at_an_open_site(station):
    token = IdTokenFactory(user=UserFactory())
    with CaptureQueriesContext(connection) as queries:
        info = authorize(token.id_token, station)
    assert info.status == "Accepted"
    assert len(queries) == 1


def test_a_group_and_a_private_site_add_one_query_each(private_station):
    group = IdTokenFactory(id_token="FLEET")
    private_station.site.allowed_id_tokens.add(group)
    token = IdTokenFactory(group_id_token="FLEET", user=UserFactory())
    with CaptureQueriesContext(connection) as queries:
        info = authorize(token.id_token, private_station)
    assert info.status == "Accepted"
    assert len(queries) == 3
