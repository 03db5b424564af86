"""Remote management over real sockets: 1.6 and 2.0.1 chargers answering the commands."""

from __future__ import annotations

import contextlib

import pytest
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from stations.exceptions import StationNotConnected
from stations.models import Command, Transaction, VariableAttribute
from stations.services.commands import remote
from stations.services.commands.bus import Caller
from tests.ocpp_client import booted, in_thread

pytestmark = pytest.mark.asyncio


class Charger16(Client16):
    accept_start = True
    requests: list[tuple[str, dict]]

    @on("RemoteStartTransaction")
    async def on_remote_start(self, id_tag, **kwargs):
        self.requests.append(("RemoteStartTransaction", {"id_tag": id_tag, **kwargs}))
        return result16.RemoteStartTransaction(
            status="Accepted" if self.accept_start else "Rejected"
        )

    @on("Reset")
    async def on_reset(self, type):
        self.requests.append(("Reset", {"type": type}))
        return result16.Reset(status="Accepted")

    @on("GetConfiguration")
    async def on_get_configuration(self, key=None):
        return result16.GetConfiguration(
            configuration_key=[
                {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
                {"key": "NumberOfConnectors", "readonly": True, "value": "2"},
            ],
            unknown_key=["NoSuchKey"],
        )

    @on("ChangeConfiguration")
    async def on_change_configuration(self, key, value):
        return result16.ChangeConfiguration(
            status="Accepted" if key == "HeartbeatInterval" else "Rejected"
        )


class Charger201(Client201):
    accept_start = True
    requests: list[tuple[str, dict]]

    @on("RequestStartTransaction")
    async def on_request_start(self, id_token, remote_start_id, **kwargs):
        self.requests.append(
            ("RequestStartTransaction", {"id_token": id_token, "remote_start_id": remote_start_id})
        )
        return result201.RequestStartTransaction(
            status="Accepted" if self.accept_start else "Rejected"
        )

    @on("Reset")
    async def on_reset(self, type, **kwargs):
        self.requests.append(("Reset", {"type": type}))
        return result201.Reset(status="Scheduled" if type == "OnIdle" else "Accepted")

    @on("GetVariables")
    async def on_get_variables(self, get_variable_data):
        return result201.GetVariables(
            get_variable_result=[
                {
                    "attribute_status": "Accepted",
                    "attribute_value": "300",
                    "component": item["component"],
                    "variable": item["variable"],
                }
                if item["variable"]["name"] == "HeartbeatInterval"
                else {
                    "attribute_status": "UnknownVariable",
                    "component": item["component"],
                    "variable": item["variable"],
                }
                for item in get_variable_data
            ]
        )

    @on("SetVariables")
    async def on_set_variables(self, set_variable_data):
        return result201.SetVariables(
            set_variable_result=[
                {
                    "attribute_status": "Accepted",
                    "component": item["component"],
                    "variable": item["variable"],
                }
                for item in set_variable_data
            ]
        )


@contextlib.asynccontextmanager
async def connected(server, station, version, *, accept_start=True):
    """A booted charger of `version` ("1.6" or "2.0.1") answering commands."""
    subprotocol, client = {"1.6": ("ocpp1.6", Charger16), "2.0.1": ("ocpp2.0.1", Charger201)}[
        version
    ]
    charger_class = type(client.__name__, (client,), {"requests": [], "accept_start": accept_start})
    async with booted(
        server, station.identity, subprotocol=subprotocol, client_class=charger_class
    ) as cp:
        yield cp


VERSIONS = [pytest.param("1.6", id="1.6"), pytest.param("2.0.1", id="2.0.1")]


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_remote_start_is_accepted(server, station, version):
    async with connected(server, station, version) as cp:
        result = await in_thread(
            remote.remote_start, station_id=station.pk, id_token="TAG1", caller=Caller(label="test")
        )
    assert result.accepted
    assert result.status == "Accepted"
    assert result.command.state == Command.State.ANSWERED
    action, request = cp.requests[0]
    if version == "1.6":
        assert (action, request) == ("RemoteStartTransaction", {"id_tag": "TAG1"})
    else:
        assert action == "RequestStartTransaction"
        assert request["id_token"] == {"id_token": "TAG1", "type": "Central"}
        assert request["remote_start_id"] > 0


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_remote_start_the_station_rejects_says_so(server, station, version):
    async with connected(server, station, version, accept_start=False):
        result = await in_thread(remote.remote_start, station_id=station.pk, id_token="TAG1")
    assert not result.accepted
    assert result.status == "Rejected"


@pytest.mark.parametrize(
    ("version", "expected_type", "expected_status"),
    [
        pytest.param("1.6", "Hard", "Accepted", id="1.6"),
        pytest.param("2.0.1", "OnIdle", "Scheduled", id="2.0.1"),
    ],
)
async def test_a_hard_reset_reaches_the_station(
    server, station, version, expected_type, expected_status
):
    async with connected(server, station, version) as cp:
        result = await in_thread(remote.reset, station_id=station.pk, hard=True)
    assert cp.requests == [("Reset", {"type": expected_type})]
    assert result.status == expected_status


async def test_a_16_configuration_is_read_into_the_device_model(server, station):
    async with connected(server, station, "1.6"):
        result = await in_thread(remote.get_configuration, station_id=station.pk)
    assert result.values == {"HeartbeatInterval": "300", "NumberOfConnectors": "2"}
    assert result.unknown == ("NoSuchKey",)
    stored = VariableAttribute.objects.get(
        variable__component__station=station,
        variable__component__name="OCPP16",
        variable__name="NumberOfConnectors",
    )
    assert (stored.value, stored.mutability) == ("2", "ReadOnly")


async def test_a_16_configuration_change_updates_the_stored_value(server, station):
    async with connected(server, station, "1.6"):
        await in_thread(remote.get_configuration, station_id=station.pk)
        accepted = await in_thread(
            remote.change_configuration, station_id=station.pk, key="HeartbeatInterval", value="60"
        )
        rejected = await in_thread(
            remote.change_configuration, station_id=station.pk, key="NumberOfConnectors", value="9"
        )
    assert (accepted.status, rejected.status) == ("Accepted", "Rejected")
    values = dict(
        VariableAttribute.objects.filter(variable__component__station=station).values_list(
            "variable__name", "value"
        )
    )
    assert values == {"HeartbeatInterval": "60", "NumberOfConnectors": "2"}


async def test_2x_variables_are_read_and_set_in_the_device_model(server, station):
    key = "OCPPCommCtrlr/HeartbeatInterval"
    async with connected(server, station, "2.0.1"):
        read = await in_thread(
            remote.get_configuration, station_id=station.pk, keys=[key, "OCPPCommCtrlr/Nope"]
        )
        stored_after_read = VariableAttribute.objects.get(variable__name="HeartbeatInterval").value
        changed = await in_thread(
            remote.change_configuration, station_id=station.pk, key=key, value="60"
        )
    assert read.values == {key: "300"}
    assert read.unknown == ("OCPPCommCtrlr/Nope",)
    assert stored_after_read == "300"
    assert changed.status == "Accepted"
    attribute = VariableAttribute.objects.get(
        variable__component__station=station,
        variable__component__name="OCPPCommCtrlr",
        variable__name="HeartbeatInterval",
    )
    assert (attribute.type, attribute.value) == ("Actual", "60")


async def test_a_command_to_an_offline_station_raises_at_once(server, station):
    with pytest.raises(StationNotConnected):
        await in_thread(remote.reset, station_id=station.pk, hard=False)
    assert Command.objects.get(station=station).state == Command.State.OFFLINE


async def test_the_session_a_remote_start_opened_is_tied_to_its_command(server, station):
    async with connected(server, station, "2.0.1") as cp:
        result = await in_thread(remote.remote_start, station_id=station.pk, id_token="TAG1")
        remote_start_id = cp.requests[0][1]["remote_start_id"]
        # The station starts the session it was asked for, naming the request.
        await cp.call(
            call201.TransactionEvent(
                event_type="Started",
                timestamp="2026-01-05T10:00:00Z",
                trigger_reason="RemoteStart",
                seq_no=0,
                transaction_info={"transaction_id": "RS-1", "remote_start_id": remote_start_id},
                evse={"id": 1, "connector_id": 1},
            )
        )
    tx = Transaction.objects.get(station=station, transaction_id="RS-1")
    assert tx.remote_start_id == remote_start_id
    assert tx.remote_start_command == result.command
