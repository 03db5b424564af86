"""The authorization answers as chargers of each version receive them over a real socket:
Authorize, 1.6 StartTransaction, 2.x TransactionEvent; cache expiry, group and private sites."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call as call16
from ocpp.v21 import call as call21
from ocpp.v201 import call as call201

from backoffice.lib.ocpp_time import parse_ocpp_datetime
from stations.models import Transaction
from tests.factories.accounts import IdTokenFactory, UserFactory
from tests.ocpp_client import booted

pytestmark = pytest.mark.asyncio

# The test server runs with the default OCPP_AUTH_CACHE_SECONDS.
CACHE = timedelta(seconds=86400)
V2X = [("ocpp2.0.1", call201), ("ocpp2.1", call21)]


def about(text: str, expected: datetime, slack: timedelta = timedelta(seconds=30)) -> bool:
    return abs(parse_ocpp_datetime(text).value - expected) < slack


def ocpp_time(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture
def private(station):
    station.site.accepts_all_tokens = False
    station.site.save()
    return station.site


def started(call, token: dict, tx_id: str = "TX-1"):
    return call.TransactionEvent(
        event_type="Started",
        timestamp="2026-01-05T10:00:00Z",
        trigger_reason="Authorized",
        seq_no=0,
        transaction_info={"transaction_id": tx_id},
        evse={"id": 1, "connector_id": 1},
        id_token=token,
    )


# --- 1.6 -------------------------------------------------------------------------------------


async def test_16_authorize_gives_the_cache_expiry_and_the_parent(server, station):
    IdTokenFactory(id_token="FLEET-A")
    IdTokenFactory(id_token="CARD", group_id_token="FLEET-A")
    async with booted(server, station.identity) as cp:
        result = await cp.call(call16.Authorize(id_tag="CARD"))
    info = result.id_tag_info
    assert (info["status"], info["parent_id_tag"]) == ("Accepted", "FLEET-A")
    assert about(info["expiry_date"], datetime.now(UTC) + CACHE)


async def test_16_a_group_expiring_first_gives_its_expiry(server, station):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    IdTokenFactory(id_token="FLEET-A", expires_at=soon)
    IdTokenFactory(id_token="CARD", group_id_token="FLEET-A")
    async with booted(server, station.identity) as cp:
        result = await cp.call(call16.Authorize(id_tag="CARD"))
    assert result.id_tag_info["expiry_date"] == ocpp_time(soon)


async def test_16_a_private_site_answers_invalid_to_a_card_it_does_not_list(
    server, station, private
):
    IdTokenFactory(id_token="STRANGER")
    private.allowed_id_tokens.add(IdTokenFactory(id_token="FLEET-A"))
    IdTokenFactory(id_token="MEMBER", group_id_token="FLEET-A")
    async with booted(server, station.identity) as cp:
        stranger = await cp.call(call16.Authorize(id_tag="STRANGER"))
        start = await cp.call(
            call16.StartTransaction(
                connector_id=1, id_tag="STRANGER", meter_start=0, timestamp="2026-01-05T10:00:00Z"
            )
        )
        member = await cp.call(call16.Authorize(id_tag="MEMBER"))
    # 1.6 has no NotAtThisLocation.
    assert stranger.id_tag_info["status"] == "Invalid"
    assert start.id_tag_info["status"] == "Invalid"
    assert member.id_tag_info["status"] == "Accepted"
    assert Transaction.objects.get(station=station).auth_status == "NotAtThisLocation"


async def test_16_start_transaction_answers_the_same_rules(server, station):
    IdTokenFactory(id_token="WAITING", awaiting_approval=True)
    IdTokenFactory(id_token="DISABLED", user=UserFactory(is_active=False))
    IdTokenFactory(id_token="GOOD")
    answers = {}
    async with booted(server, station.identity) as cp:
        for connector, tag in enumerate(["WAITING", "DISABLED", "GOOD"], start=1):
            result = await cp.call(
                call16.StartTransaction(
                    connector_id=connector,
                    id_tag=tag,
                    meter_start=0,
                    timestamp=f"2026-01-05T10:0{connector}:00Z",
                )
            )
            answers[tag] = result.id_tag_info
    assert answers["WAITING"]["status"] == "Invalid"
    assert answers["DISABLED"]["status"] == "Blocked"
    assert answers["GOOD"]["status"] == "Accepted"
    assert about(answers["GOOD"]["expiry_date"], datetime.now(UTC) + CACHE)


# --- 2.x -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("subprotocol", "call"), V2X)
async def test_2x_authorize_gives_the_cache_expiry_and_the_group_with_its_type(
    server, station, subprotocol, call
):
    IdTokenFactory(id_token="FLEET-A", type="Local")
    IdTokenFactory(id_token="CARD", group_id_token="FLEET-A")
    async with booted(server, station.identity, subprotocol=subprotocol) as cp:
        result = await cp.call(call.Authorize(id_token={"id_token": "CARD", "type": "ISO14443"}))
    info = result.id_token_info
    assert info["status"] == "Accepted"
    assert info["group_id_token"] == {"id_token": "FLEET-A", "type": "Local"}
    assert about(info["cache_expiry_date_time"], datetime.now(UTC) + CACHE)


@pytest.mark.parametrize(("subprotocol", "call"), V2X)
async def test_2x_a_token_expiring_first_gives_its_expiry(server, station, subprotocol, call):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    IdTokenFactory(id_token="CARD", expires_at=soon)
    async with booted(server, station.identity, subprotocol=subprotocol) as cp:
        result = await cp.call(call.Authorize(id_token={"id_token": "CARD", "type": "ISO14443"}))
        event = await cp.call(started(call, {"id_token": "CARD", "type": "ISO14443"}))
    assert result.id_token_info["cache_expiry_date_time"] == ocpp_time(soon)
    assert event.id_token_info == {"status": "Accepted", "cache_expiry_date_time": ocpp_time(soon)}


@pytest.mark.parametrize(("subprotocol", "call"), V2X)
async def test_2x_a_private_site_answers_not_at_this_location(
    server, station, private, subprotocol, call
):
    IdTokenFactory(id_token="STRANGER")
    private.allowed_id_tokens.add(IdTokenFactory(id_token="LISTED"))
    stranger = {"id_token": "STRANGER", "type": "ISO14443"}
    async with booted(server, station.identity, subprotocol=subprotocol) as cp:
        auth = await cp.call(call.Authorize(id_token=stranger))
        event = await cp.call(started(call, stranger))
        listed = await cp.call(call.Authorize(id_token={"id_token": "LISTED", "type": "ISO14443"}))
    assert auth.id_token_info["status"] == "NotAtThisLocation"
    assert event.id_token_info["status"] == "NotAtThisLocation"
    assert listed.id_token_info["status"] == "Accepted"
    assert Transaction.objects.get(station=station).auth_status == "NotAtThisLocation"


@pytest.mark.parametrize(("subprotocol", "call"), V2X)
async def test_2x_no_authorization_is_accepted_without_a_token(
    server, station, private, subprotocol, call
):
    free = {"id_token": "", "type": "NoAuthorization"}
    async with booted(server, station.identity, subprotocol=subprotocol) as cp:
        auth = await cp.call(call.Authorize(id_token=free))
        event = await cp.call(started(call, free))
    assert auth.id_token_info == {"status": "Accepted"}
    assert event.id_token_info == {"status": "Accepted"}


@pytest.mark.parametrize(("subprotocol", "call"), V2X)
async def test_2x_a_second_session_with_the_token_is_concurrent(server, station, subprotocol, call):
    IdTokenFactory(id_token="CARD")
    card = {"id_token": "CARD", "type": "ISO14443"}
    async with booted(server, station.identity, subprotocol=subprotocol) as cp:
        first = await cp.call(started(call, card, tx_id="TX-1"))
        second = await cp.call(started(call, card, tx_id="TX-2"))
    assert first.id_token_info["status"] == "Accepted"
    assert second.id_token_info["status"] == "ConcurrentTx"
