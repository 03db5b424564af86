"""The 2.x device model over a real socket: NotifyReport pages, NotifyMonitoringReport and
NotifyEvent, on 2.0.1 and 2.1."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from ocpp.v21 import call as call21
from ocpp.v201 import call as call201

from stations import selectors
from stations.models import (
    DeviceEvent,
    DeviceModelReport,
    Variable,
    VariableAttribute,
    VariableMonitor,
)
from stations.services.device import device_model
from tests.ocpp_client import charger21, charger201, exchange, raw_socket

pytestmark = pytest.mark.asyncio

T0 = "2026-01-05T10:00:00Z"
VERSIONS = [
    pytest.param(charger201, call201, id="2.0.1"),
    pytest.param(charger21, call21, id="2.1"),
]
SUBPROTOCOLS = [pytest.param("ocpp2.0.1", id="2.0.1"), pytest.param("ocpp2.1", id="2.1")]


async def boot(cp, call):
    await cp.call(
        call.BootNotification(charging_station={"model": "M", "vendor_name": "V"}, reason="PowerUp")
    )


def report_page(call, seq_no, tbc, report_data):
    return call.NotifyReport(
        request_id=42, generated_at=T0, seq_no=seq_no, tbc=tbc, report_data=report_data
    )


FIRST_PAGE = [
    {
        "component": {"name": "EVSE", "evse": {"id": 1}},
        "variable": {"name": "Power"},
        "variable_attribute": [
            {"type": "Actual", "value": "11000", "mutability": "ReadOnly"},
            {"type": "MaxSet", "value": "22000"},
        ],
        "variable_characteristics": {
            "unit": "W",
            "data_type": "decimal",
            "max_limit": 22000,
            "supports_monitoring": True,
        },
    },
    {
        "component": {"name": "Connector", "evse": {"id": 1, "connector_id": 1}},
        "variable": {"name": "ConnectorType"},
        "variable_attribute": [{"value": "cType2", "mutability": "ReadOnly"}],
    },
]
SECOND_PAGE = [
    {
        "component": {"name": "OCPPCommCtrlr"},
        "variable": {"name": "HeartbeatInterval"},
        "variable_attribute": [{"value": "300"}],
        "variable_characteristics": {
            "unit": "s",
            "data_type": "integer",
            "supports_monitoring": False,
        },
    }
]


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_a_report_in_two_pages_is_stored_and_a_replayed_page_once(
    server, station, connect, call
):
    async with connect(server, station.identity) as cp:
        await boot(cp, call)
        first = await cp.call(report_page(call, 0, True, FIRST_PAGE))
        await cp.call(report_page(call, 0, True, FIRST_PAGE))  # replayed, new message id
        await cp.call(report_page(call, 1, False, SECOND_PAGE))
    assert first is not None
    pages = DeviceModelReport.objects.filter(station=station, action="NotifyReport")
    assert list(pages.values_list("request_id", "seq_no", "tbc")) == [(42, 0, True), (42, 1, False)]
    assert device_model.report_complete(station_id=station.pk, request_id=42)
    rows = {
        (row.component.name, row.component.evse_id, row.variable.name): {
            type_: (a.value, a.mutability) for type_, a in row.attributes.items()
        }
        for row in selectors.variables_for_station(station_id=station.pk)
    }
    assert rows == {
        ("EVSE", 1, "Power"): {"Actual": ("11000", "ReadOnly"), "MaxSet": ("22000", "ReadWrite")},
        ("Connector", 1, "ConnectorType"): {"Actual": ("cType2", "ReadOnly")},
        ("OCPPCommCtrlr", 0, "HeartbeatInterval"): {"Actual": ("300", "ReadWrite")},
    }
    power = Variable.objects.get(component__station=station, name="Power")
    assert (power.unit, power.data_type, power.max_limit) == ("W", "decimal", D(22000))
    assert VariableAttribute.objects.filter(variable__component__station=station).count() == 4


@pytest.mark.parametrize(("connect", "call"), VERSIONS)
async def test_notify_event_and_monitoring_report_are_stored(server, station, connect, call):
    monitoring = {
        "id": 5,
        "transaction": False,
        "value": 80,
        "type": "UpperThreshold",
        "severity": 2,
    }
    if call is call21:
        monitoring["event_notification_type"] = "CustomMonitor"
    event = {
        "event_id": 9,
        "timestamp": T0,
        "trigger": "Alerting",
        "actual_value": "85",
        "event_notification_type": "CustomMonitor",
        "component": {"name": "EVSE", "evse": {"id": 1}},
        "variable": {"name": "Temperature"},
        "variable_monitoring_id": 5,
        "tech_code": "OVERTEMP",
    }
    async with connect(server, station.identity) as cp:
        await boot(cp, call)
        await cp.call(
            call.NotifyMonitoringReport(
                request_id=7,
                seq_no=0,
                generated_at=T0,
                monitor=[
                    {
                        "component": {"name": "EVSE", "evse": {"id": 1}},
                        "variable": {"name": "Temperature"},
                        "variable_monitoring": [monitoring],
                    }
                ],
            )
        )
        for _ in range(2):  # the second is a replay
            await cp.call(call.NotifyEvent(generated_at=T0, seq_no=0, event_data=[event]))
    monitor = VariableMonitor.objects.select_related("variable__component").get(
        variable__component__station=station
    )
    assert (monitor.monitor_id, monitor.value, monitor.type, monitor.severity) == (
        5,
        D(80),
        "UpperThreshold",
        2,
    )
    assert (monitor.variable.name, monitor.variable.component.evse_id) == ("Temperature", 1)
    assert DeviceModelReport.objects.filter(
        station=station, action="NotifyMonitoringReport", request_id=7, seq_no=0
    ).exists()
    stored = DeviceEvent.objects.get(station=station)
    assert (stored.event_id, stored.actual_value, stored.tech_code) == (9, "85", "OVERTEMP")
    assert stored.variable_monitoring_id == 5


@pytest.mark.parametrize("subprotocol", SUBPROTOCOLS)
async def test_a_notify_report_without_generated_at_gets_a_callerror(server, station, subprotocol):
    async with raw_socket(server, station.identity, subprotocols=(subprotocol,)) as ws:
        booted = await exchange(
            ws,
            [
                2,
                "boot",
                "BootNotification",
                {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"},
            ],
        )
        reply = await exchange(
            ws,
            [
                2,
                "report-1",
                "NotifyReport",
                {
                    "requestId": 1,
                    "seqNo": 0,
                    "reportData": [
                        {
                            "component": {"name": "EVSE"},
                            "variable": {"name": "Power"},
                            "variableAttribute": [{"value": "1"}],
                        }
                    ],
                },
            ],
        )
    assert booted[0] == 3
    assert reply[:3] == [4, "report-1", "OccurrenceConstraintViolation"]
    assert not DeviceModelReport.objects.filter(station=station).exists()
    assert not Variable.objects.filter(component__station=station).exists()
