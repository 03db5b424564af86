"""The REST API's specs of the OCPP 2.x-only commands: registered, 2.x only, and their input
serializers hand the services exactly their keyword arguments."""

from __future__ import annotations

import inspect
from decimal import Decimal as D

import pytest

from stations.api.command_specs import v2x as specs_module
from stations.api.registry import specs
from stations.services.commands.catalogue import V2X

GOOD_BODIES = {
    "set-variable-monitoring": {
        "monitors": [
            {
                "component": "EVSE",
                "evse_id": 1,
                "variable": "Power",
                "type": "UpperThreshold",
                "value": "22000",
                "severity": 4,
            }
        ]
    },
    "clear-variable-monitoring": {"monitor_ids": [3, 4]},
    "set-monitoring-base": {"monitoring_base": "FactoryDefault"},
    "set-monitoring-level": {"severity": 9},
    "get-monitoring-report": {
        "criteria": ["DeltaMonitoring"],
        "component_variables": [{"component": "EVSE", "evse_id": 1}],
    },
    "set-display-message": {
        "content": "Welcome",
        "priority": "InFront",
        "start_at": "2026-02-01T08:00:00Z",
        "display": {"component": "Display"},
    },
    "get-display-messages": {"message_ids": [1], "state": "Idle"},
    "clear-display-message": {"message_id": 1},
    "customer-information": {"clear": True, "id_token": "04A1B2", "id_token_type": "ISO14443"},
    "get-transaction-status": {"transaction_id": "T-1"},
    "set-network-profile": {
        "configuration_slot": 1,
        "connection_data": {
            "ocpp_csms_url": "wss://csms.example/ocpp",
            "security_profile": 2,
            "ocpp_interface": "Wired0",
            "ocpp_version": "OCPP20",
        },
    },
}
BAD_BODIES = {
    "set-variable-monitoring": {"monitors": []},
    "clear-variable-monitoring": {"monitor_ids": [-1]},
    "set-monitoring-base": {"monitoring_base": "Some"},
    "set-monitoring-level": {"severity": 10},
    "get-monitoring-report": {"criteria": ["Often"]},
    "set-display-message": {"content": "x", "priority": "Loud"},
    "get-display-messages": {"state": "Asleep"},
    "clear-display-message": {},
    "customer-information": {"customer_certificate": {"hash_algorithm": "MD5"}},
    "get-transaction-status": {"transaction_id": "x" * 37},
    "set-network-profile": {"configuration_slot": 1, "connection_data": {"security_profile": 9}},
}


def test_every_2x_command_is_registered_for_2x_stations_only():
    registered = specs()
    assert set(GOOD_BODIES) <= set(registered)
    assert {registered[name].versions for name in GOOD_BODIES} == {V2X}


@pytest.mark.parametrize("name", sorted(GOOD_BODIES))
def test_a_good_body_becomes_the_service_keyword_arguments(name):
    spec = specs()[name]
    serializer = spec.input(data=GOOD_BODIES[name])
    assert serializer.is_valid(), serializer.errors
    parameters = inspect.signature(spec.service).parameters
    assert set(serializer.validated_data) <= set(parameters) - {"station_id", "caller"}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_a_bad_body_is_refused(name):
    serializer = specs()[name].input(data=BAD_BODIES[name])
    assert not serializer.is_valid()


def test_a_monitor_value_arrives_as_a_decimal():
    serializer = specs_module.SetVariableMonitoringInput(
        data=GOOD_BODIES["set-variable-monitoring"]
    )
    assert serializer.is_valid()
    assert serializer.validated_data["monitors"][0]["value"] == D("22000")


def test_results_render_as_plain_json():
    from stations.services.device.monitoring import MonitorOutcome, SetMonitoringResult

    outcome = SetMonitoringResult(
        command=None,
        results=(MonitorOutcome("Accepted", 100, "EVSE", "Power", "Delta", 4),),
    )
    assert specs()["set-variable-monitoring"].result_of(outcome) == {
        "results": [
            {
                "status": "Accepted",
                "monitor_id": 100,
                "component": "EVSE",
                "variable": "Power",
                "type": "Delta",
                "severity": 4,
                "reason": "",
            }
        ]
    }
