"""The 2.1 commands' REST API specs: each serializer takes exactly its service's keywords,
accepts a good body and rejects a bad one."""

from __future__ import annotations

import inspect

import pytest

from stations.api.command_specs import v21
from stations.api.registry import specs
from stations.services.commands.catalogue import V21
from stations.services.device import event_streams
from tests.stations.v21_cases import TARIFF

GOOD = {
    "request-battery-swap": {"id_token": "TAG-1"},
    "use-priority-charging": {"transaction_id": "TX-1", "activate": False},
    "update-dynamic-schedule": {"charging_profile_id": 9, "schedule_update": {"limit": 11.0}},
    "afrr-signal": {"signal": 1, "timestamp": "2026-01-05T10:00:00Z"},
    "notify-allowed-energy-transfer": {
        "transaction_id": "TX-1",
        "allowed_energy_transfer": ["DC_BPT"],
    },
    "notify-web-payment-started": {"evse_id": 1, "timeout": 60},
    "set-der-control": {"control_type": "FreqDroop", "setting": {"priority": 0}},
    "get-der-control": {"control_type": "VoltWatt"},
    "clear-der-control": {"is_default": False, "control_id": "c-1"},
    "set-default-tariff": {"tariff": TARIFF, "evse_id": 2},
    "get-tariffs": {},
    "clear-tariffs": {"tariff_ids": ["D-1"]},
    "change-transaction-tariff": {"transaction_id": "TX-1", "tariff": TARIFF},
    "get-periodic-event-streams": {},
    "adjust-periodic-event-stream": {"stream_id": 4, "values": 10},
}
BAD = {
    "request-battery-swap": {"id_token": "T" * 256},
    "use-priority-charging": {"activate": True},
    "update-dynamic-schedule": {"charging_profile_id": 9, "schedule_update": "fast"},
    "afrr-signal": {"signal": "high"},
    "notify-allowed-energy-transfer": {"transaction_id": "TX-1", "allowed_energy_transfer": []},
    "notify-web-payment-started": {"evse_id": -1, "timeout": 60},
    "set-der-control": {"control_type": "Warp", "setting": {}},
    "get-der-control": {"control_type": "Warp"},
    "clear-der-control": {"control_id": "c-1"},
    "set-default-tariff": {"evse_id": 2},
    "get-tariffs": {"evse_id": -1},
    "clear-tariffs": {"tariff_ids": []},
    "change-transaction-tariff": {"transaction_id": "TX-1"},
    "get-periodic-event-streams": None,
    "adjust-periodic-event-stream": {"stream_id": 4},
}


def test_every_21_command_is_registered_for_21_stations_only():
    registered = {
        name: spec for name, spec in specs().items() if spec.input.__module__ == v21.__name__
    }
    assert set(registered) == set(GOOD)
    assert all(spec.versions == V21 for spec in registered.values())


@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_good_body_validates_to_the_service_s_keywords(name):
    spec = specs()[name]
    serializer = spec.input(data=GOOD[name])
    assert serializer.is_valid(), serializer.errors
    keywords = set(inspect.signature(spec.service).parameters) - {"station_id", "caller"}
    declared = set(spec.input().fields)
    assert declared == keywords
    assert set(serializer.validated_data) <= keywords


@pytest.mark.parametrize("name", sorted(name for name, body in BAD.items() if body is not None))
def test_a_bad_body_is_refused(name):
    assert not specs()[name].input(data=BAD[name]).is_valid()


def test_a_stream_adjustment_without_parameters_says_what_is_missing():
    serializer = v21.AdjustPeriodicEventStreamInput(data={"stream_id": 4})
    assert not serializer.is_valid()
    assert serializer.errors["non_field_errors"] == [event_streams.NO_STREAM_PARAMS]
