"""Stations kept in step when a token or a site's token rule changes, over real sockets: the
differential SendLocalList and ClearCache reach connected chargers; offline ones get nothing
(and no error) until they boot again; a change made while a send is out follows it."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.db.models import F
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result as result16
from ocpp.v21 import ChargePoint as Client21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call_result as result201

from backoffice.accounts.models import IdToken
from backoffice.accounts.services import id_tokens
from stations.models import Command, LocalAuthList
from stations.services.commands.requests import ConfigurationValue
from stations.services.device import device_model
from stations.services.inventory import sites
from stations.services.local_lists import local_list, station_sync, token_sync
from tests.factories.accounts import IdTokenFactory
from tests.factories.stations import StationFactory
from tests.ocpp_client import booted, eventually, in_thread

pytestmark = pytest.mark.asyncio

VERSIONS = ["1.6", "2.0.1", "2.1"]


class Charger16(Client16):
    requests: list[tuple[str, dict]]

    @on("SendLocalList")
    async def on_send_local_list(self, **kwargs):
        self.requests.append(("SendLocalList", kwargs))
        return result16.SendLocalList(status="Accepted")

    @on("ClearCache")
    async def on_clear_cache(self, **kwargs):
        self.requests.append(("ClearCache", kwargs))
        return result16.ClearCache(status="Accepted")


class Charger201(Client201):
    requests: list[tuple[str, dict]]

    @on("SendLocalList")
    async def on_send_local_list(self, **kwargs):
        self.requests.append(("SendLocalList", kwargs))
        return result201.SendLocalList(status="Accepted")

    @on("ClearCache")
    async def on_clear_cache(self, **kwargs):
        self.requests.append(("ClearCache", kwargs))
        return result201.ClearCache(status="Accepted")


class Charger21(Client21):
    requests: list[tuple[str, dict]]

    @on("SendLocalList")
    async def on_send_local_list(self, **kwargs):
        self.requests.append(("SendLocalList", kwargs))
        return result21.SendLocalList(status="Accepted")

    @on("ClearCache")
    async def on_clear_cache(self, **kwargs):
        self.requests.append(("ClearCache", kwargs))
        return result21.ClearCache(status="Accepted")


CHARGERS = {
    "1.6": ("ocpp1.6", Charger16),
    "2.0.1": ("ocpp2.0.1", Charger201),
    "2.1": ("ocpp2.1", Charger21),
}


@contextlib.asynccontextmanager
async def connected(server, station, version, client=None):
    subprotocol, default = CHARGERS[version]
    client = client or default
    charger_class = type(client.__name__, (client,), {"requests": []})
    async with booted(
        server, station.identity, subprotocol=subprotocol, client_class=charger_class
    ) as cp:
        yield cp


async def holding(server, station, version, values: list[str]):
    """The station's list holds `values` (a full send it accepted), then it disconnects."""
    local_list.add_tokens(station_id=station.pk, id_tokens=values)
    async with connected(server, station, version) as cp:
        result = await in_thread(local_list.send_local_list, station_id=station.pk)
        assert result.accepted
        cp.requests.clear()


def entries(request: dict) -> dict[str, dict | None]:
    """A SendLocalList's entries by token value: their info (None: removed)."""
    found: dict[str, dict | None] = {}
    for entry in request.get("local_authorization_list") or []:
        if "id_tag" in entry:
            found[entry["id_tag"]] = entry.get("id_tag_info")
        else:
            found[entry["id_token"]["id_token"]] = entry.get("id_token_info")
    return found


def sent(cp, action: str) -> list[dict]:
    return [payload for name, payload in cp.requests if name == action]


def names(requests) -> list[str]:
    """The calls a charger got, in a fixed order: the server's own send after a boot may
    overtake the test's (the test's sync then leaves its change to that send)."""
    return sorted(name for name, _ in requests)


async def settled(station) -> None:
    """No send out and nothing left to send: every follow-up has been answered."""

    def done():
        held = LocalAuthList.objects.get(station=station)
        return held.sending_since is None and not local_list.pending_changes(station_id=station.pk)

    assert await eventually(done)


@pytest.mark.parametrize("version", VERSIONS)
async def test_blocking_a_listed_token_sends_it_blocked_and_clears_the_cache(
    server, station, version
):
    card = IdTokenFactory(id_token="CARD")
    IdTokenFactory(id_token="OTHER")
    await holding(server, station, version, ["CARD", "OTHER"])
    async with connected(server, station, version) as cp:
        await in_thread(id_tokens.block, actor=None, token_pk=card.pk)
        await eventually(lambda: len(cp.requests) >= 2)
        await settled(station)
    [send] = sent(cp, "SendLocalList")
    assert send["update_type"] == "Differential"
    assert send.get("list_version", send.get("version_number")) == 2
    assert entries(send) == {"CARD": {"status": "Blocked"}}
    assert len(sent(cp, "ClearCache")) == 1
    held = LocalAuthList.objects.get(station=station)
    assert held.version == 2
    assert held.entries.get(id_tag="CARD").sent_info["status"] == "Blocked"
    assert local_list.pending_changes(station_id=station.pk) == 0


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_blocking_a_group_sends_its_cards(server, station, version):
    group = IdTokenFactory(id_token="FLEET")
    IdTokenFactory(id_token="MEMBER", group_id_token="FLEET")
    IdTokenFactory(id_token="LONER")
    await holding(server, station, version, ["MEMBER", "LONER"])
    async with connected(server, station, version) as cp:
        IdToken.objects.filter(pk=group.pk).update(status="Blocked")
        await in_thread(token_sync.token_changed, token_pk=group.pk, blocked=True)
        await eventually(lambda: len(cp.requests) >= 2)
        await settled(station)
    [send] = sent(cp, "SendLocalList")
    assert list(entries(send)) == ["MEMBER"]
    assert entries(send)["MEMBER"]["status"] == "Blocked"
    assert len(sent(cp, "ClearCache")) == 1


async def test_a_later_expiry_is_sent_without_clearing_caches(server, station):
    now = datetime.now(UTC).replace(microsecond=0)
    card = IdTokenFactory(id_token="CARD", expires_at=now + timedelta(days=10))
    await holding(server, station, "2.0.1", ["CARD"])
    later = now + timedelta(days=20)
    async with connected(server, station, "2.0.1") as cp:
        await in_thread(id_tokens.set_expiry, actor=None, token_pk=card.pk, expires_at=later)
        await eventually(lambda: sent(cp, "SendLocalList"))
        await settled(station)
    [send] = sent(cp, "SendLocalList")
    info = entries(send)["CARD"]
    assert info["cache_expiry_date_time"] == later.isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )
    # Caches hold the earlier expiry: they drop the token sooner, never later.
    assert sent(cp, "ClearCache") == []


async def test_a_token_on_no_list_clears_caches_only(server, station):
    card = IdTokenFactory(id_token="CARD")
    async with connected(server, station, "2.0.1") as cp:
        await in_thread(id_tokens.block, actor=None, token_pk=card.pk)
    assert [name for name, _ in cp.requests] == ["ClearCache"]


async def test_a_16_station_without_an_authorization_cache_is_not_asked_to_clear_it(
    server, station
):
    device_model.store_v16_configuration(
        station_id=station.pk,
        keys=[ConfigurationValue("AuthorizationCacheEnabled", "false")],
    )
    card = IdTokenFactory(id_token="CARD")
    await holding(server, station, "1.6", ["CARD"])
    async with connected(server, station, "1.6") as cp:
        await in_thread(id_tokens.block, actor=None, token_pk=card.pk)
        await eventually(lambda: sent(cp, "SendLocalList"))
        await settled(station)
    assert [name for name, _ in cp.requests] == ["SendLocalList"]


async def test_a_deleted_token_leaves_the_station_list(server, station):
    card = IdTokenFactory(id_token="CARD")
    IdTokenFactory(id_token="STAYS")
    await holding(server, station, "2.0.1", ["CARD", "STAYS"])
    async with connected(server, station, "2.0.1") as cp:
        # Deleted as the admin does it: nobody calls token_sync.
        await in_thread(card.delete)
        await eventually(lambda: sent(cp, "SendLocalList"))
        await settled(station)
    [send] = sent(cp, "SendLocalList")
    assert entries(send) == {"CARD": None}
    assert not LocalAuthList.objects.get(station=station).entries.filter(id_tag="CARD").exists()


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_an_offline_station_gets_nothing_then_its_changes_when_it_boots(
    server, station, version
):
    card = IdTokenFactory(id_token="CARD")
    await holding(server, station, version, ["CARD"])
    commands = Command.objects.filter(station=station).count()
    # Not connected: nothing is sent, nothing fails, no command is even recorded.
    await in_thread(id_tokens.block, actor=None, token_pk=card.pk)
    assert Command.objects.filter(station=station).count() == commands
    assert local_list.pending_changes(station_id=station.pk) == 1
    async with connected(server, station, version) as cp:
        await eventually(lambda: sent(cp, "SendLocalList"))
        await eventually(lambda: LocalAuthList.objects.get(station=station).version == 2)
    [send] = sent(cp, "SendLocalList")
    assert send["update_type"] == "Differential"
    assert entries(send) == {"CARD": {"status": "Blocked"}}
    assert local_list.pending_changes(station_id=station.pk) == 0


async def test_a_boot_with_nothing_pending_sends_nothing(server, station):
    IdTokenFactory(id_token="CARD")
    await holding(server, station, "2.0.1", ["CARD"])
    async with connected(server, station, "2.0.1") as cp:
        # What the boot's follow-up runs, run here to its end: nothing to send.
        await in_thread(token_sync.station_booted, station_id=station.pk)
    assert cp.requests == []


async def test_only_the_stations_holding_the_token_get_a_list(server, station):
    card = IdTokenFactory(id_token="CARD")
    IdTokenFactory(id_token="ELSE")
    bystander = StationFactory(identity="CP-BYSTANDER", ocpp_version="2.0.1")
    await holding(server, station, "2.0.1", ["CARD"])
    await holding(server, bystander, "2.0.1", ["ELSE"])
    async with (
        connected(server, station, "2.0.1") as holder,
        connected(server, bystander, "2.0.1") as other,
    ):
        await in_thread(id_tokens.block, actor=None, token_pk=card.pk)
        await eventually(lambda: len(holder.requests) >= 2)
        await settled(station)
    assert names(holder.requests) == ["ClearCache", "SendLocalList"]
    assert [name for name, _ in other.requests] == ["ClearCache"]


async def test_a_site_made_private_clears_its_stations_caches(server, station):
    card = IdTokenFactory(id_token="CARD")
    elsewhere = StationFactory(identity="CP-ELSEWHERE", ocpp_version="2.0.1")
    async with (
        connected(server, station, "2.0.1") as here,
        connected(server, elsewhere, "2.0.1") as there,
    ):
        await in_thread(
            sites.update,
            site_id=station.site_id,
            actor=None,
            changes={"accepts_all_tokens": False, "allowed_id_tokens": [card]},
        )
        # Saving the same rule again changes nothing: no second ClearCache.
        await in_thread(
            sites.update,
            site_id=station.site_id,
            actor=None,
            changes={"accepts_all_tokens": False, "allowed_id_tokens": [card]},
        )
    assert [name for name, _ in here.requests] == ["ClearCache"]
    assert there.requests == []


# --- the site rule ---------------------------------------------------------------------------

# What a station at a private site holds for a token the site does not list.
NOT_HERE = {"1.6": "Invalid", "2.0.1": "NotAtThisLocation", "2.1": "NotAtThisLocation"}


def make_private(station, *tokens):
    station.site.accepts_all_tokens = False
    station.site.save()
    station.site.allowed_id_tokens.add(*tokens)


def statuses(request: dict) -> dict[str, str | None]:
    return {value: info["status"] if info else None for value, info in entries(request).items()}


def sent_in(requests) -> dict:
    [payload] = [payload for name, payload in requests if name == "SendLocalList"]
    return payload


def update_site(station, **changes):
    return in_thread(sites.update, site_id=station.site_id, actor=None, changes=changes)


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_private_sites_list_refuses_the_tokens_it_does_not_list(server, station, version):
    make_private(station, IdTokenFactory(id_token="LISTED"), IdTokenFactory(id_token="FLEET"))
    IdTokenFactory(id_token="MEMBER", group_id_token="FLEET")
    IdTokenFactory(id_token="STRANGER")
    local_list.add_tokens(station_id=station.pk, id_tokens=["LISTED", "MEMBER", "STRANGER"])
    async with connected(server, station, version) as cp:
        result = await in_thread(local_list.send_local_list, station_id=station.pk)
    assert result.accepted
    [send] = sent(cp, "SendLocalList")
    assert statuses(send) == {
        "LISTED": "Accepted",
        "MEMBER": "Accepted",
        "STRANGER": NOT_HERE[version],
    }


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_site_made_private_sends_what_it_no_longer_accepts_and_clears_caches(
    server, station, version
):
    listed = IdTokenFactory(id_token="LISTED")
    IdTokenFactory(id_token="STRANGER")
    await holding(server, station, version, ["LISTED", "STRANGER"])
    async with connected(server, station, version) as cp:
        await update_site(station, accepts_all_tokens=False, allowed_id_tokens=[listed])
        await eventually(lambda: len(cp.requests) >= 2)
        await settled(station)
    assert names(cp.requests) == ["ClearCache", "SendLocalList"]
    [send] = sent(cp, "SendLocalList")
    assert send["update_type"] == "Differential"
    assert statuses(send) == {"STRANGER": NOT_HERE[version]}
    assert local_list.pending_changes(station_id=station.pk) == 0


async def test_access_given_is_sent_without_clearing_caches_and_access_taken_clears_them(
    server, station
):
    listed, stranger = IdTokenFactory(id_token="LISTED"), IdTokenFactory(id_token="STRANGER")
    make_private(station, listed)
    await holding(server, station, "2.0.1", ["LISTED", "STRANGER"])
    async with connected(server, station, "2.0.1") as cp:

        async def after(**changes):
            cp.requests.clear()
            await update_site(station, **changes)
            await eventually(lambda: cp.requests)
            await settled(station)
            return list(cp.requests)

        given = await after(allowed_id_tokens=[listed, stranger])
        taken = await after(allowed_id_tokens=[listed])
        opened = await after(accepts_all_tokens=True)
    assert names(given) == ["SendLocalList"]
    assert statuses(sent_in(given)) == {"STRANGER": "Accepted"}
    assert names(taken) == ["ClearCache", "SendLocalList"]
    assert statuses(sent_in(taken)) == {"STRANGER": "NotAtThisLocation"}
    assert names(opened) == ["SendLocalList"]
    assert statuses(sent_in(opened)) == {"STRANGER": "Accepted"}
    assert LocalAuthList.objects.get(station=station).version == 4


async def test_a_site_change_leaves_other_sites_stations_alone(server, station):
    IdTokenFactory(id_token="STRANGER")
    elsewhere = StationFactory(identity="CP-ELSEWHERE", ocpp_version="2.0.1")
    await holding(server, station, "2.0.1", ["STRANGER"])
    await holding(server, elsewhere, "2.0.1", ["STRANGER"])
    async with (
        connected(server, station, "2.0.1") as here,
        connected(server, elsewhere, "2.0.1") as there,
    ):
        await update_site(station, accepts_all_tokens=False, allowed_id_tokens=[IdTokenFactory()])
        await eventually(lambda: len(here.requests) >= 2)
        await settled(station)
    assert names(here.requests) == ["ClearCache", "SendLocalList"]
    assert there.requests == []
    assert local_list.pending_changes(station_id=elsewhere.pk) == 0


# --- deletion --------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_deleting_a_group_token_sends_its_cards_to_their_stations(server, station, version):
    fleet = IdTokenFactory(id_token="FLEET", status="Blocked")
    IdTokenFactory(id_token="MEMBER", group_id_token="FLEET")
    IdTokenFactory(id_token="LONER")
    await holding(server, station, version, ["MEMBER", "LONER"])
    assert (
        LocalAuthList.objects.get(station=station).entries.get(id_tag="MEMBER").sent_info["status"]
        == "Blocked"
    )
    async with connected(server, station, version) as cp:
        # Deleted as the admin does it: nobody calls token_sync; the row is gone afterwards.
        await in_thread(fleet.delete)
        await eventually(lambda: len(cp.requests) >= 2)
        await settled(station)
    [send] = sent(cp, "SendLocalList")
    assert send["update_type"] == "Differential"
    # An unknown group blocks nobody (as Authorize answers now).
    assert statuses(send) == {"MEMBER": "Accepted"}
    assert len(sent(cp, "ClearCache")) == 1
    assert local_list.pending_changes(station_id=station.pk) == 0


async def test_deleting_the_group_a_private_site_listed_refuses_its_cards_there(server, station):
    fleet = IdTokenFactory(id_token="FLEET")
    make_private(station, fleet)
    IdTokenFactory(id_token="MEMBER", group_id_token="FLEET")
    await holding(server, station, "2.0.1", ["MEMBER"])
    async with connected(server, station, "2.0.1") as cp:
        await in_thread(fleet.delete)
        await eventually(lambda: len(cp.requests) >= 2)
        await settled(station)
    [send] = sent(cp, "SendLocalList")
    assert statuses(send) == {"MEMBER": "NotAtThisLocation"}


async def test_a_group_deleted_in_a_transaction_that_rolls_back_sends_nothing(server, station):
    fleet = IdTokenFactory(id_token="FLEET", status="Blocked")
    IdTokenFactory(id_token="MEMBER", group_id_token="FLEET")
    await holding(server, station, "2.0.1", ["MEMBER"])

    def delete_then_fail():
        with contextlib.suppress(RuntimeError), transaction.atomic():
            fleet.delete()
            raise RuntimeError("rolled back")

    pk = fleet.pk
    async with connected(server, station, "2.0.1") as cp:
        await in_thread(delete_then_fail)
        await asyncio.sleep(0.3)
    assert cp.requests == []
    assert IdToken.objects.filter(pk=pk).exists()


# --- a change while a send is out ------------------------------------------------------------


class Gated201(Charger201):
    """Answers SendLocalList only once `gate` is set (the ocpp client handles one call at a
    time, so nothing else is answered meanwhile either)."""

    gate: asyncio.Event

    @on("SendLocalList")
    async def on_send_local_list(self, **kwargs):
        self.requests.append(("SendLocalList", kwargs))
        await self.gate.wait()
        return result201.SendLocalList(status="Accepted")


class Churning201(Charger201):
    """Each SendLocalList changes CARD's expiry before it is answered: a change made while
    every send is out."""

    @on("SendLocalList")
    async def on_send_local_list(self, **kwargs):
        self.requests.append(("SendLocalList", kwargs))
        await asyncio.to_thread(
            lambda: IdToken.objects.filter(id_token="CARD").update(
                expires_at=F("expires_at") + timedelta(days=1)
            )
        )
        return result201.SendLocalList(status="Accepted")


async def test_a_change_made_while_a_send_is_out_follows_it(server, station):
    now = datetime.now(UTC).replace(microsecond=0)
    card = IdTokenFactory(id_token="CARD", expires_at=now + timedelta(days=10))
    await holding(server, station, "2.0.1", ["CARD"])
    later = now + timedelta(days=20)
    Gated201.gate = asyncio.Event()
    async with connected(server, station, "2.0.1", Gated201) as cp:
        # An operator's full send, unanswered for now.
        out = asyncio.create_task(in_thread(local_list.send_local_list, station_id=station.pk))
        await eventually(lambda: cp.requests)
        await in_thread(id_tokens.set_expiry, actor=None, token_pk=card.pk, expires_at=later)
        # The token's sync found the send out and left the change to it.
        assert await in_thread(station_sync.sync_local_list, station_id=station.pk) == (
            station_sync.LEFT_TO_SEND_OUT
        )
        assert len(cp.requests) == 1
        cp.gate.set()
        result = await out
        await eventually(lambda: len(cp.requests) >= 2)
    assert result.accepted
    full, follow_up = sent(cp, "SendLocalList")
    assert full["update_type"] == "Full"
    assert follow_up["update_type"] == "Differential"
    assert entries(follow_up)["CARD"]["cache_expiry_date_time"] == later.isoformat(
        timespec="milliseconds"
    ).replace("+00:00", "Z")
    assert LocalAuthList.objects.get(station=station).version == 3
    assert local_list.pending_changes(station_id=station.pk) == 0


async def test_follow_up_sends_are_bounded_when_changes_never_settle(server, station):
    card = IdTokenFactory(id_token="CARD", expires_at=datetime(2030, 1, 1, tzinfo=UTC))
    await holding(server, station, "2.0.1", ["CARD"])
    # Changed while the station is away: its boot sends it, and the changes made meanwhile.
    IdToken.objects.filter(pk=card.pk).update(expires_at=datetime(2031, 1, 1, tzinfo=UTC))
    async with connected(server, station, "2.0.1", Churning201) as cp:
        await eventually(lambda: len(cp.requests) >= 1 + local_list.FOLLOW_UPS)
        # Nothing more comes: the last change waits for the next send.
        await asyncio.sleep(0.5)
    assert len(sent(cp, "SendLocalList")) == 1 + local_list.FOLLOW_UPS
    assert local_list.pending_changes(station_id=station.pk) == 1
