"""Local authorization lists over real sockets: 1.6, 2.0.1 and 2.1 chargers answering
SendLocalList and GetLocalListVersion."""

from __future__ import annotations

import contextlib

import pytest
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result as result16
from ocpp.v21 import ChargePoint as Client21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call_result as result201

from backoffice.accounts.models import IdToken
from stations.exceptions import StationNotConnected
from stations.models import Command, LocalAuthList, LocalListEntry
from stations.services.commands.bus import Caller
from stations.services.device import device_model
from stations.services.local_lists import local_list
from tests.factories.accounts import IdTokenFactory
from tests.ocpp_client import REFUSING_CLIENTS, booted, in_thread

pytestmark = pytest.mark.asyncio

VERSIONS = ["1.6", "2.0.1", "2.1"]


class ListCharger16(Client16):
    answers: list[str]
    requests: list[dict]
    list_version = 7

    @on("SendLocalList")
    async def on_send_local_list(self, list_version, update_type, **kwargs):
        self.requests.append({"version": list_version, "update_type": update_type, **kwargs})
        return result16.SendLocalList(status=self.answers.pop(0))

    @on("GetLocalListVersion")
    async def on_get_local_list_version(self):
        return result16.GetLocalListVersion(list_version=self.list_version)


class ListCharger201(Client201):
    answers: list[str]
    requests: list[dict]
    list_version = 7

    @on("SendLocalList")
    async def on_send_local_list(self, version_number, update_type, **kwargs):
        self.requests.append({"version": version_number, "update_type": update_type, **kwargs})
        return result201.SendLocalList(status=self.answers.pop(0))

    @on("GetLocalListVersion")
    async def on_get_local_list_version(self):
        return result201.GetLocalListVersion(version_number=self.list_version)


class ListCharger21(Client21):
    answers: list[str]
    requests: list[dict]
    list_version = 7

    @on("SendLocalList")
    async def on_send_local_list(self, version_number, update_type, **kwargs):
        self.requests.append({"version": version_number, "update_type": update_type, **kwargs})
        return result21.SendLocalList(status=self.answers.pop(0))

    @on("GetLocalListVersion")
    async def on_get_local_list_version(self):
        return result21.GetLocalListVersion(version_number=self.list_version)


CHARGERS = {
    "1.6": ("ocpp1.6", ListCharger16),
    "2.0.1": ("ocpp2.0.1", ListCharger201),
    "2.1": ("ocpp2.1", ListCharger21),
}


@contextlib.asynccontextmanager
async def connected(server, station, version, answers=(), *, implemented=True):
    subprotocol, client = CHARGERS[version]
    charger_class = (
        type(client.__name__, (client,), {"requests": [], "answers": list(answers)})
        if implemented
        else REFUSING_CLIENTS[subprotocol]
    )
    async with booted(
        server, station.identity, subprotocol=subprotocol, client_class=charger_class
    ) as cp:
        yield cp


def sent_values(request: dict) -> list[str]:
    """The token values one SendLocalList carried, as the charger received them."""
    entries = request.get("local_authorization_list") or []
    return [entry.get("id_tag") or entry["id_token"]["id_token"] for entry in entries]


@pytest.fixture
def tokens(transactional_db):
    return [IdTokenFactory(id_token=value) for value in ("ALICE", "BOB", "CAROL")]


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_full_list_is_accepted_and_its_version_confirmed(server, station, tokens, version):
    local_list.add_tokens(station_id=station.pk, id_tokens=["ALICE", "BOB"])
    async with connected(server, station, version, ["Accepted"]) as cp:
        result = await in_thread(
            local_list.send_local_list, station_id=station.pk, caller=Caller(label="test")
        )
    assert result.accepted
    assert (result.update_type, result.version, result.confirmed_version) == ("Full", 1, 1)
    assert cp.requests[0]["version"] == 1
    assert cp.requests[0]["update_type"] == "Full"
    assert sent_values(cp.requests[0]) == ["ALICE", "BOB"]
    stored = LocalAuthList.objects.get(station=station)
    assert (stored.version, stored.last_status, stored.sending_since) == (1, "Accepted", None)
    assert all(entry.sent_info for entry in LocalListEntry.objects.all())


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_differential_carries_the_changes_and_removes_what_left(
    server, station, tokens, version
):
    local_list.add_tokens(station_id=station.pk, id_tokens=["ALICE", "BOB"])
    async with connected(server, station, version, ["Accepted", "Accepted"]) as cp:
        await in_thread(local_list.send_local_list, station_id=station.pk)
        IdToken.objects.filter(id_token="ALICE").update(status=IdToken.Status.BLOCKED)
        local_list.remove_tokens(station_id=station.pk, id_tokens=["BOB"])
        local_list.add_tokens(station_id=station.pk, id_tokens=["CAROL"])
        result = await in_thread(
            local_list.send_local_list, station_id=station.pk, update_type="Differential"
        )
    assert result.accepted
    assert (result.update_type, result.version) == ("Differential", 2)
    differential = cp.requests[1]
    assert sent_values(differential) == ["BOB", "ALICE", "CAROL"]
    info_key = "id_tag_info" if version == "1.6" else "id_token_info"
    infos = [entry.get(info_key) for entry in differential["local_authorization_list"]]
    assert infos[0] is None  # a removal carries no info, and comes first
    assert infos[1]["status"] == "Blocked"
    assert infos[2]["status"] == "Accepted"
    assert sorted(LocalListEntry.objects.values_list("id_tag", flat=True)) == ["ALICE", "CAROL"]
    assert LocalAuthList.objects.get(station=station).version == 2


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_version_mismatch_leads_to_one_full_send(server, station, tokens, version):
    local_list.add_tokens(station_id=station.pk, id_tokens=["ALICE"])
    answers = ["Accepted", "VersionMismatch", "Accepted"]
    async with connected(server, station, version, answers) as cp:
        await in_thread(local_list.send_local_list, station_id=station.pk)
        local_list.add_tokens(station_id=station.pk, id_tokens=["BOB"])
        result = await in_thread(
            local_list.send_local_list, station_id=station.pk, update_type="Differential"
        )
    assert [request["update_type"] for request in cp.requests] == [
        "Full",
        "Differential",
        "Full",
    ]
    assert sent_values(cp.requests[1]) == ["BOB"]
    assert sent_values(cp.requests[2]) == ["ALICE", "BOB"]
    assert result.accepted and result.retried_full
    assert result.mismatch_command.result_status == "VersionMismatch"
    assert result.command.payload["updateType"] == "Full"
    assert LocalAuthList.objects.get(station=station).version == result.version == 2


async def test_a_full_send_after_a_mismatch_is_tried_only_once(server, station, tokens):
    local_list.add_tokens(station_id=station.pk, id_tokens=["ALICE"])
    answers = ["Accepted", "VersionMismatch", "VersionMismatch"]
    async with connected(server, station, "2.0.1", answers) as cp:
        await in_thread(local_list.send_local_list, station_id=station.pk)
        result = await in_thread(
            local_list.send_local_list, station_id=station.pk, update_type="Differential"
        )
    assert len(cp.requests) == 3
    assert (result.status, result.retried_full) == ("VersionMismatch", True)
    assert LocalAuthList.objects.get(station=station).version == 1


@pytest.mark.parametrize(
    ("version", "answer"),
    [("1.6", "Failed"), ("1.6", "NotSupported"), ("2.0.1", "Failed"), ("2.1", "Failed")],
)
async def test_a_list_the_station_refuses_changes_nothing(server, station, tokens, version, answer):
    local_list.add_tokens(station_id=station.pk, id_tokens=["ALICE"])
    async with connected(server, station, version, [answer]) as cp:
        result = await in_thread(local_list.send_local_list, station_id=station.pk)
    assert len(cp.requests) == 1
    assert (result.accepted, result.status, result.confirmed_version) == (False, answer, 0)
    stored = LocalAuthList.objects.get(station=station)
    assert (stored.version, stored.last_status) == (0, answer)
    assert LocalListEntry.objects.get().sent_info is None


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_station_without_local_lists_answers_a_callerror(server, station, tokens, version):
    local_list.add_tokens(station_id=station.pk, id_tokens=["ALICE"])
    async with connected(server, station, version, implemented=False):
        sent = await in_thread(local_list.send_local_list, station_id=station.pk)
        read = await in_thread(local_list.get_local_list_version, station_id=station.pk)
    assert (sent.status, sent.command.state) == ("", Command.State.CALL_ERROR)
    assert sent.command.error_code == "NotImplemented"
    assert read.version is None
    assert read.command.error_code == "NotImplemented"
    stored = LocalAuthList.objects.get(station=station)
    assert (stored.version, stored.sending_since, stored.last_command) == (0, None, sent.command)


@pytest.mark.parametrize("version", VERSIONS)
async def test_the_version_the_station_holds_is_read_and_kept(server, station, version):
    async with connected(server, station, version):
        result = await in_thread(local_list.get_local_list_version, station_id=station.pk)
    assert result.version == 7
    stored = LocalAuthList.objects.get(station=station)
    assert stored.station_version == 7
    assert stored.station_version_at is not None


async def test_the_next_version_is_above_the_one_the_station_reported(server, station, tokens):
    local_list.add_tokens(station_id=station.pk, id_tokens=["ALICE"])
    async with connected(server, station, "1.6", ["Accepted"]) as cp:
        await in_thread(local_list.get_local_list_version, station_id=station.pk)
        result = await in_thread(local_list.send_local_list, station_id=station.pk)
    assert cp.requests[0]["version"] == result.version == 8


async def test_a_send_to_an_offline_station_raises_and_frees_the_list(server, station, tokens):
    local_list.add_tokens(station_id=station.pk, id_tokens=["ALICE"])
    with pytest.raises(StationNotConnected):
        await in_thread(local_list.send_local_list, station_id=station.pk)
    stored = LocalAuthList.objects.get(station=station)
    assert stored.sending_since is None
    assert stored.last_command.state == Command.State.OFFLINE


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_list_longer_than_one_message_goes_in_parts(server, station, tokens, version):
    local_list.add_tokens(station_id=station.pk, id_tokens=["ALICE", "BOB", "CAROL"])
    async with connected(server, station, version, ["Accepted", "Accepted"]) as cp:
        # The station's own word on its limit, as a report or GetConfiguration stores it.
        key = "SendLocalListMaxLength" if version == "1.6" else "ItemsPerMessage"
        component = "OCPP16" if version == "1.6" else "LocalAuthListCtrlr"
        device_model.store_actual_values(station_id=station.pk, values={(component, key): "2"})
        result = await in_thread(local_list.send_local_list, station_id=station.pk)
    assert [(r["update_type"], r["version"], sent_values(r)) for r in cp.requests] == [
        ("Full", 1, ["ALICE", "BOB"]),
        ("Differential", 2, ["CAROL"]),
    ]
    assert (result.accepted, result.messages, result.remaining, result.version) == (
        True,
        2,
        0,
        2,
    )
    assert all(entry.sent_info for entry in LocalListEntry.objects.all())


async def test_parts_stop_at_the_first_the_station_refuses(server, station, tokens):
    local_list.add_tokens(station_id=station.pk, id_tokens=["ALICE", "BOB", "CAROL"])
    async with connected(server, station, "2.0.1", ["Accepted", "Failed"]) as cp:
        device_model.store_actual_values(
            station_id=station.pk, values={("LocalAuthListCtrlr", "ItemsPerMessage"): "1"}
        )
        result = await in_thread(local_list.send_local_list, station_id=station.pk)
    assert len(cp.requests) == 2
    assert (result.status, result.messages, result.remaining) == ("Failed", 2, 1)
    assert LocalAuthList.objects.get(station=station).version == 1
    assert LocalListEntry.objects.filter(sent_info__isnull=False).count() == 1
