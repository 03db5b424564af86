"""Remote management: the message each OCPP version gets, without a socket.

The pure cases go through the version's builder (`adapters.build`), the others through the
services.

The services are driven against an offline station: the bus validates the payload against the
station's schema, records the command and raises StationNotConnected, so the recorded command
shows exactly what would have been sent.
"""

from __future__ import annotations

import pytest

from stations.exceptions import CommandInvalid
from stations.models import Command, VariableAttribute
from stations.ocpp.v16.outbound import remote as v16_remote
from stations.ocpp.v201.outbound import configuration as v2x_configuration
from stations.ocpp.v201.outbound import remote as v2x_remote
from stations.services.commands import adapters, remote, requests
from stations.services.commands.bus import Caller
from stations.services.commands.requests import ConfigurationValue
from stations.services.device import device_model
from tests.commands import sent
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db


# --- remote start and stop -------------------------------------------------------------------


def test_a_16_station_gets_remote_start_transaction_on_the_evse_as_connector(v16):
    profile = {
        "chargingProfileId": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}],
        },
    }
    command = sent(
        remote.remote_start,
        station_id=v16.pk,
        id_token="TAG1",
        evse_id=2,
        charging_profile=profile,
        caller=Caller(label="test"),
    )
    assert command.action == "RemoteStartTransaction"
    assert command.payload == {"idTag": "TAG1", "connectorId": 2, "chargingProfile": profile}
    assert command.actor_label == "test"


def test_a_16_remote_start_without_an_evse_leaves_the_connector_to_the_station(v16):
    command = sent(remote.remote_start, station_id=v16.pk, id_token="TAG1")
    assert command.payload == {"idTag": "TAG1"}


def test_a_station_that_never_booted_is_spoken_to_in_16():
    station = StationFactory(ocpp_version="")
    command = sent(remote.remote_start, station_id=station.pk, id_token="TAG1")
    assert command.action == "RemoteStartTransaction"


def test_a_2x_station_gets_request_start_transaction_with_a_central_token(v2x):
    command = sent(
        remote.remote_start, station_id=v2x.pk, id_token="TAG1", evse_id=1, remote_start_id=42
    )
    assert command.action == "RequestStartTransaction"
    assert command.payload == {
        "idToken": {"idToken": "TAG1", "type": "Central"},
        "remoteStartId": 42,
        "evseId": 1,
    }


def test_a_2x_remote_start_id_is_generated_when_not_given():
    ids = {
        adapters.build(version="2.0.1", request=requests.RemoteStart(id_token="T")).payload[
            "remoteStartId"
        ]
        for _ in range(5)
    }
    assert all(0 < remote_start_id < 2**31 for remote_start_id in ids)
    assert len(ids) > 1


def test_a_16_connector_other_than_1_is_refused():
    with pytest.raises(CommandInvalid) as invalid:
        adapters.build(
            version="1.6", request=requests.RemoteStart(id_token="T", evse_id=1, connector_id=2)
        )
    assert invalid.value.message == v16_remote.V16_ONE_CONNECTOR_PER_EVSE


@pytest.mark.parametrize(("version", "length"), [("1.6", 21), ("2.0.1", 37)])
def test_an_id_token_the_schema_refuses_is_named_as_the_requests_field(version, length):
    # The schema names its own path (1.6 idTag, 2.x idToken.idToken); the adapter, the field.
    with pytest.raises(CommandInvalid) as invalid:
        adapters.build(version=version, request=requests.RemoteStart(id_token="T" * length))
    assert invalid.value.field == "id_token"


def test_a_2x_remote_start_on_a_connector_is_refused_before_anything_is_sent(v2x):
    with pytest.raises(CommandInvalid) as invalid:
        remote.remote_start(station_id=v2x.pk, id_token="T", evse_id=1, connector_id=1)
    assert invalid.value.message == v2x_remote.V2X_START_HAS_NO_CONNECTOR
    assert not Command.objects.exists()


def test_a_16_remote_stop_sends_the_transaction_id_as_a_number(v16):
    command = sent(remote.remote_stop, station_id=v16.pk, transaction_id="17")
    assert command.action == "RemoteStopTransaction"
    assert command.payload == {"transactionId": 17}


def test_a_16_remote_stop_refuses_a_transaction_id_that_is_not_a_number():
    with pytest.raises(CommandInvalid) as invalid:
        adapters.build(version="1.6", request=requests.RemoteStop(transaction_id="a1b2"))
    assert invalid.value.message == v16_remote.V16_TRANSACTION_ID_NOT_INT


def test_a_2x_remote_stop_sends_request_stop_transaction(v2x):
    command = sent(remote.remote_stop, station_id=v2x.pk, transaction_id="a1b2")
    assert command.action == "RequestStopTransaction"
    assert command.payload == {"transactionId": "a1b2"}


# --- reset, availability, unlock, trigger ----------------------------------------------------


@pytest.mark.parametrize(("hard", "expected"), [(True, "Hard"), (False, "Soft")])
def test_a_16_reset_is_hard_or_soft(v16, hard, expected):
    command = sent(remote.reset, station_id=v16.pk, hard=hard)
    assert command.payload == {"type": expected}


@pytest.mark.parametrize(
    ("hard", "when_idle", "expected"),
    [(True, False, "Immediate"), (True, True, "OnIdle"), (False, False, "OnIdle")],
)
def test_a_2x_reset_is_immediate_only_when_hard_and_not_waiting_for_idle(
    v2x, hard, when_idle, expected
):
    command = sent(remote.reset, station_id=v2x.pk, hard=hard, when_idle=when_idle)
    assert command.payload == {"type": expected}


def test_a_16_change_availability_without_an_evse_is_connector_0(v16):
    command = sent(remote.change_availability, station_id=v16.pk, operative=False)
    assert command.payload == {"connectorId": 0, "type": "Inoperative"}


def test_a_16_change_availability_of_an_evse_is_its_connector(v16):
    command = sent(remote.change_availability, station_id=v16.pk, operative=True, evse_id=3)
    assert command.payload == {"connectorId": 3, "type": "Operative"}


def test_a_2x_change_availability_names_the_evse_and_connector(v2x):
    station_wide = sent(remote.change_availability, station_id=v2x.pk, operative=True)
    connector = sent(
        remote.change_availability, station_id=v2x.pk, operative=False, evse_id=1, connector_id=2
    )
    assert station_wide.payload == {"operationalStatus": "Operative"}
    assert connector.payload == {
        "operationalStatus": "Inoperative",
        "evse": {"id": 1, "connectorId": 2},
    }


def test_a_connector_without_its_evse_is_refused():
    for version in ("1.6", "2.0.1"):
        with pytest.raises(CommandInvalid) as invalid:
            adapters.build(
                version=version,
                request=requests.ChangeAvailability(operative=True, connector_id=1),
            )
        assert invalid.value.message == remote.CONNECTOR_NEEDS_EVSE


def test_unlock_connector_payloads(v16, v2x):
    assert sent(remote.unlock_connector, station_id=v16.pk, evse_id=2).payload == {"connectorId": 2}
    assert sent(remote.unlock_connector, station_id=v2x.pk, evse_id=2, connector_id=3).payload == {
        "evseId": 2,
        "connectorId": 3,
    }


def test_trigger_message_payloads(v16, v2x):
    assert sent(
        remote.trigger_message, station_id=v16.pk, message="StatusNotification", evse_id=1
    ).payload == {"requestedMessage": "StatusNotification", "connectorId": 1}
    assert sent(
        remote.trigger_message, station_id=v2x.pk, message="StatusNotification", evse_id=1
    ).payload == {"requestedMessage": "StatusNotification", "evse": {"id": 1}}
    assert sent(remote.trigger_message, station_id=v2x.pk, message="Heartbeat").payload == {
        "requestedMessage": "Heartbeat"
    }


def test_clear_cache_and_data_transfer_are_the_same_in_every_version(v16, v2x):
    for station in (v16, v2x):
        assert sent(remote.clear_cache, station_id=station.pk).payload == {}
        command = sent(remote.data_transfer, station_id=station.pk, vendor_id="com.acme", data="x")
        assert command.payload == {"vendorId": "com.acme", "data": "x"}


# --- configuration ---------------------------------------------------------------------------


def test_a_16_get_configuration_asks_for_all_keys_or_the_ones_named(v16):
    assert sent(remote.get_configuration, station_id=v16.pk).payload == {}
    assert sent(
        remote.get_configuration, station_id=v16.pk, keys=["HeartbeatInterval"]
    ).payload == {"key": ["HeartbeatInterval"]}


def test_a_2x_get_configuration_is_get_variables_of_component_variable_keys(v2x):
    command = sent(
        remote.get_configuration, station_id=v2x.pk, keys=["OCPPCommCtrlr/HeartbeatInterval"]
    )
    assert command.action == "GetVariables"
    assert command.payload == {
        "getVariableData": [
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
        ]
    }


def test_a_2x_get_configuration_needs_keys():
    with pytest.raises(CommandInvalid) as invalid:
        adapters.build(version="2.0.1", request=requests.GetConfiguration())
    assert invalid.value.message == v2x_configuration.V2X_CONFIGURATION_NEEDS_KEYS


def test_a_2x_key_without_a_component_is_refused():
    with pytest.raises(CommandInvalid) as invalid:
        adapters.build(
            version="2.0.1",
            request=requests.ChangeConfiguration(key="HeartbeatInterval", value="1"),
        )
    assert invalid.value.message == v2x_configuration.V2X_KEY_FORMAT


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("OCPPCommCtrlr/" + "V" * 51, "1", "key"),
        ("OCPPCommCtrlr/HeartbeatInterval", "9" * 2501, "value"),
    ],
)
def test_a_2x_key_or_value_the_schema_refuses_is_named_as_the_requests_field(key, value, field):
    # Both land in setVariableData[0]: the longest listed path decides.
    with pytest.raises(CommandInvalid) as invalid:
        adapters.build(version="2.0.1", request=requests.ChangeConfiguration(key=key, value=value))
    assert invalid.value.field == field


def test_change_configuration_payloads(v16, v2x):
    assert sent(
        remote.change_configuration, station_id=v16.pk, key="HeartbeatInterval", value="60"
    ).payload == {"key": "HeartbeatInterval", "value": "60"}
    command = sent(
        remote.change_configuration,
        station_id=v2x.pk,
        key="OCPPCommCtrlr/HeartbeatInterval",
        value="60",
    )
    assert command.action == "SetVariables"
    assert command.payload == {
        "setVariableData": [
            {
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "HeartbeatInterval"},
                "attributeValue": "60",
            }
        ]
    }


def test_storing_an_actual_value_keeps_the_attributes_mutability(v2x):
    device_model.store_v16_configuration(
        station_id=v2x.pk, keys=[ConfigurationValue("HeartbeatInterval", "300", read_only=True)]
    )
    device_model.store_actual_values(
        station_id=v2x.pk,
        values={("OCPP16", "HeartbeatInterval"): "60", ("OCPPCommCtrlr", "New"): "x"},
    )
    old = VariableAttribute.objects.get(variable__name="HeartbeatInterval")
    new = VariableAttribute.objects.get(variable__name="New")
    assert (old.value, old.mutability, old.type) == ("60", "ReadOnly", "Actual")
    assert (new.value, new.variable.component.name) == ("x", "OCPPCommCtrlr")
