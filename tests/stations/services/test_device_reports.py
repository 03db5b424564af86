"""Device-model reports without a socket: the GetBaseReport / GetReport payloads, 1.6 refused,
and NotifyReport pages counted on the request they answer, with a full inventory pruning what
the station no longer reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from stations.exceptions import CommandInvalid, StationNotConnected
from stations.models import (
    Command,
    Component,
    DeviceModelReport,
    DeviceReportRequest,
    Variable,
    VariableAttribute,
)
from stations.ocpp.v201 import device_convert
from stations.services.commands import adapters, remote
from stations.services.commands.requests import ConfigurationValue
from stations.services.device import device_model, device_reports
from stations.services.device.device_reports import ComponentVariable
from stations.services.device.requests import GetBaseReport, GetReport
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db

GENERATED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def item(component: str, variable: str, value: str = "1", **component_extra) -> dict:
    """One report_data item as the adapter passes it (snake_case)."""
    return {
        "component": {"name": component, **component_extra},
        "variable": {"name": variable},
        "variable_attribute": [{"type": "Actual", "value": value}],
    }


def page(station, request_id, seq_no, tbc, data):
    return device_reports.receive_page(
        station_id=station.pk,
        request_id=request_id,
        seq_no=seq_no,
        tbc=tbc,
        generated_at=GENERATED,
        report_data=device_convert.reported_variables(data),
    )


# --- payloads --------------------------------------------------------------------------------


def build(request, version="2.0.1"):
    return adapters.build(version=version, request=request)


def test_a_base_report_names_its_base_and_request():
    message = build(GetBaseReport(request_id=5, report_base="SummaryInventory"))
    assert message.action == "GetBaseReport"
    assert message.payload == {"requestId": 5, "reportBase": "SummaryInventory"}


def test_an_unknown_report_base_is_refused():
    with pytest.raises(CommandInvalid) as invalid:
        build(GetBaseReport(request_id=5, report_base="Everything"))
    assert invalid.value.message == device_reports.UNKNOWN_REPORT_BASE


def test_a_custom_report_names_its_criteria_and_components():
    message = build(
        GetReport(
            request_id=6,
            component_criteria=("Problem", "Active"),
            component_variables=(
                ComponentVariable(component="EVSE", evse_id=1),
                ComponentVariable(
                    component="Connector",
                    component_instance="left",
                    evse_id=1,
                    connector_id=2,
                    variable="Available",
                    variable_instance="x",
                ),
            ),
        )
    )
    assert message.action == "GetReport"
    assert message.payload == {
        "requestId": 6,
        "componentCriteria": ["Problem", "Active"],
        "componentVariable": [
            {"component": {"name": "EVSE", "evse": {"id": 1}}},
            {
                "component": {
                    "name": "Connector",
                    "instance": "left",
                    "evse": {"id": 1, "connectorId": 2},
                },
                "variable": {"name": "Available", "instance": "x"},
            },
        ],
    }


def test_a_custom_report_without_criteria_asks_for_everything():
    message = build(GetReport(request_id=6, component_criteria=(), component_variables=()))
    assert message.payload == {"requestId": 6}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"component_criteria": ("Broken",)}, device_reports.UNKNOWN_CRITERION),
        ({"component_criteria": ("Active", "Active")}, device_reports.TOO_MANY_CRITERIA),
        (
            {"component_variables": (ComponentVariable(component=""),)},
            device_reports.COMPONENT_NEEDS_NAME,
        ),
        (
            {"component_variables": (ComponentVariable(component="C", connector_id=1),)},
            remote.CONNECTOR_NEEDS_EVSE,
        ),
    ],
)
def test_a_custom_report_that_cannot_be_written_is_refused(kwargs, expected):
    arguments = {"request_id": 1, "component_criteria": (), "component_variables": (), **kwargs}
    with pytest.raises(CommandInvalid) as invalid:
        build(GetReport(**arguments))
    assert invalid.value.message == expected


# --- services against an offline station -----------------------------------------------------


@pytest.mark.parametrize("service", [device_reports.get_base_report, device_reports.get_report])
def test_a_16_station_is_pointed_at_get_configuration(service):
    station = StationFactory(ocpp_version="1.6")
    with pytest.raises(CommandInvalid) as invalid:
        service(station_id=station.pk)
    assert invalid.value.message == device_reports.V16_HAS_NO_REPORTS
    assert not Command.objects.exists()
    assert not DeviceReportRequest.objects.exists()


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
def test_an_offline_station_keeps_the_request_with_its_command(version):
    station = StationFactory(ocpp_version=version)
    with pytest.raises(StationNotConnected) as offline:
        device_reports.get_report(
            station_id=station.pk,
            component_criteria=["Problem"],
            component_variables=[ComponentVariable(component="EVSE", evse_id=1)],
        )
    report = DeviceReportRequest.objects.get(station=station)
    command = offline.value.command
    assert command.payload["requestId"] == report.request_id
    assert (report.command, report.report_base) == (command, "")
    assert report.criteria["component_criteria"] == ["Problem"]
    assert report.criteria["component_variables"][0]["evse_id"] == 1


def test_a_request_the_schema_refuses_leaves_nothing_behind():
    station = StationFactory(ocpp_version="2.0.1")
    with pytest.raises(CommandInvalid):
        device_reports.get_base_report(station_id=station.pk, report_base="Nope")
    assert not DeviceReportRequest.objects.exists()


# --- pages -----------------------------------------------------------------------------------


def test_pages_out_of_order_complete_the_request_once():
    station = StationFactory(ocpp_version="2.0.1")
    report = DeviceReportRequest.objects.create(
        station=station, request_id=41, report_base="ConfigurationInventory"
    )
    assert page(station, 41, 1, False, [item("OCPPCommCtrlr", "HeartbeatInterval", "300")])
    report.refresh_from_db()
    assert (report.pages, report.completed_at) == (1, None)
    assert page(station, 41, 0, True, [item("EVSE", "Power", evse={"id": 1})])
    assert not page(station, 41, 0, True, [item("EVSE", "Power", evse={"id": 1})])  # replay
    report.refresh_from_db()
    assert report.pages == 2
    assert report.completed_at is not None
    assert report.pruned_variables == 0


def test_a_page_nobody_asked_for_is_stored_only():
    station = StationFactory(ocpp_version="2.0.1")
    assert page(station, 77, 0, False, [item("OCPPCommCtrlr", "HeartbeatInterval")])
    assert not DeviceReportRequest.objects.exists()
    assert DeviceModelReport.objects.filter(request_id=77).exists()
    assert Variable.objects.filter(name="HeartbeatInterval").exists()


def stale_model(station):
    """A device model stored before the report: some of it the station still reports."""
    device_model.store_report(
        station_id=station.pk,
        request_id=1,
        seq_no=0,
        tbc=False,
        generated_at=GENERATED,
        report_data=device_convert.reported_variables(
            [
                item("OCPPCommCtrlr", "HeartbeatInterval", "60"),
                item("OCPPCommCtrlr", "Retired"),
                item("OldController", "Enabled"),
                {
                    "component": {"name": "SampledDataCtrlr"},
                    "variable": {"name": "TxEndedInterval"},
                    "variable_attribute": [
                        {"type": "Actual", "value": "60"},
                        {"type": "Target", "value": "30"},
                    ],
                },
            ]
        ),
    )
    device_model.store_v16_configuration(
        station_id=station.pk, keys=[ConfigurationValue("HeartbeatInterval", "60")]
    )
    # Written an hour before the report comes in.
    VariableAttribute.objects.update(updated_at=timezone.now() - timedelta(hours=1))


def test_a_complete_full_inventory_prunes_what_the_station_no_longer_reports():
    station = StationFactory(ocpp_version="2.0.1")
    stale_model(station)
    report = DeviceReportRequest.objects.create(
        station=station, request_id=42, report_base=device_reports.FULL_INVENTORY
    )
    page(station, 42, 0, True, [item("OCPPCommCtrlr", "HeartbeatInterval", "300")])
    # Nothing is pruned before the last page.
    assert Variable.objects.filter(name="Retired").exists()
    page(station, 42, 1, False, [item("SampledDataCtrlr", "TxEndedInterval", "60")])
    report.refresh_from_db()
    assert report.completed_at is not None
    assert report.pruned_variables == 2
    kept = sorted(
        VariableAttribute.objects.filter(variable__component__station=station).values_list(
            "variable__component__name", "variable__name", "type", "value"
        )
    )
    assert kept == [
        ("OCPP16", "HeartbeatInterval", "Actual", "60"),
        ("OCPPCommCtrlr", "HeartbeatInterval", "Actual", "300"),
        ("SampledDataCtrlr", "TxEndedInterval", "Actual", "60"),
    ]
    assert not Component.objects.filter(name="OldController").exists()


def test_other_reports_prune_nothing():
    station = StationFactory(ocpp_version="2.0.1")
    stale_model(station)
    DeviceReportRequest.objects.create(
        station=station, request_id=43, report_base="ConfigurationInventory"
    )
    before = VariableAttribute.objects.count()
    page(station, 43, 0, False, [item("OCPPCommCtrlr", "HeartbeatInterval", "300")])
    assert VariableAttribute.objects.count() == before
    assert DeviceReportRequest.objects.get(request_id=43).completed_at is not None
