"""The device model store: report pages, events, monitors and 1.6 configuration keys."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from stations import selectors
from stations.models import (
    Component,
    DeviceEvent,
    DeviceModelReport,
    Variable,
    VariableAttribute,
    VariableMonitor,
)
from stations.ocpp.v201 import device_convert
from stations.services.commands.requests import ConfigurationValue
from stations.services.device import device_model
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db

GENERATED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def item(component, variable, *attributes, characteristics=None, evse=None, instance=None):
    data = {
        "component": {"name": component, **({"evse": evse} if evse else {})},
        "variable": {"name": variable, **({"instance": instance} if instance else {})},
        "variable_attribute": list(attributes) or [{"value": "1"}],
    }
    if characteristics is not None:
        data["variable_characteristics"] = characteristics
    return data


def page(station, report_data, *, seq_no=0, tbc=False, request_id=7):
    return device_model.store_report(
        station_id=station.pk,
        request_id=request_id,
        seq_no=seq_no,
        tbc=tbc,
        generated_at=GENERATED,
        report_data=device_convert.reported_variables(report_data),
    )


def attribute(station, component, variable, type_="Actual"):
    return VariableAttribute.objects.get(
        variable__component__station=station,
        variable__component__name=component,
        variable__name=variable,
        type=type_,
    )


# --- NotifyReport ----------------------------------------------------------------------------


def test_a_page_stores_components_variables_attributes_and_characteristics():
    station = StationFactory()
    stored = page(
        station,
        [
            item(
                "EVSE",
                "Power",
                {"type": "Actual", "value": "11000", "mutability": "ReadOnly"},
                {"type": "MaxSet", "value": "22000", "persistent": True, "constant": True},
                evse={"id": 1},
                characteristics={
                    "unit": "W",
                    "data_type": "decimal",
                    "min_limit": 0,
                    "max_limit": 22000.5,
                    "supports_monitoring": True,
                },
            ),
            item(
                "Connector",
                "ConnectorType",
                {"value": "cType2"},
                evse={"id": 1, "connector_id": 2},
                characteristics={
                    "data_type": "OptionList",
                    "values_list": "cType2,cCCS2",
                    "supports_monitoring": False,
                },
            ),
            item("OCPPCommCtrlr", "HeartbeatInterval", {"value": "300"}),
            item("Controller", "Name", {"value": "A"}, instance="Primary"),
        ],
    )
    assert stored is True
    components = {
        (c.name, c.instance, c.evse_id, c.connector_id)
        for c in Component.objects.filter(station=station)
    }
    assert components == {
        ("EVSE", "", 1, 0),
        ("Connector", "", 1, 2),
        ("OCPPCommCtrlr", "", 0, 0),
        ("Controller", "", 0, 0),
    }
    power = Variable.objects.get(component__station=station, name="Power")
    assert (power.unit, power.data_type, power.min_limit, power.max_limit) == (
        "W",
        "decimal",
        D(0),
        D("22000.5"),
    )
    assert power.supports_monitoring is True
    actual, max_set = power.attributes.order_by("type")
    assert (actual.type, actual.value, actual.mutability) == ("Actual", "11000", "ReadOnly")
    assert (actual.persistent, actual.constant) == (False, False)
    assert (max_set.type, max_set.value, max_set.mutability) == ("MaxSet", "22000", "ReadWrite")
    assert (max_set.persistent, max_set.constant) == (True, True)
    connector_type = Variable.objects.get(name="ConnectorType")
    assert connector_type.values_list == "cType2,cCCS2"
    assert connector_type.supports_monitoring is False
    assert Variable.objects.get(name="Name").instance == "Primary"
    # No characteristics in the page: none invented.
    heartbeat = Variable.objects.get(name="HeartbeatInterval")
    assert (heartbeat.data_type, heartbeat.supports_monitoring) == ("", None)
    page_row = DeviceModelReport.objects.get(station=station)
    assert (page_row.action, page_row.request_id, page_row.seq_no, page_row.tbc) == (
        "NotifyReport",
        7,
        0,
        False,
    )
    assert page_row.generated_at == GENERATED


def test_a_replayed_page_changes_nothing():
    station = StationFactory()
    assert page(station, [item("OCPPCommCtrlr", "HeartbeatInterval", {"value": "300"})]) is True
    replay = page(
        station,
        [
            item("OCPPCommCtrlr", "HeartbeatInterval", {"value": "999"}),
            item("OCPPCommCtrlr", "NetworkProfileConnectionAttempts", {"value": "3"}),
        ],
    )
    assert replay is False
    assert attribute(station, "OCPPCommCtrlr", "HeartbeatInterval").value == "300"
    assert Variable.objects.filter(component__station=station).count() == 1
    assert DeviceModelReport.objects.filter(station=station).count() == 1


def test_a_later_report_updates_values_and_keeps_characteristics_it_does_not_repeat():
    station = StationFactory()
    characteristics = {"unit": "s", "data_type": "integer", "supports_monitoring": False}
    page(
        station,
        [
            item(
                "OCPPCommCtrlr",
                "HeartbeatInterval",
                {"value": "300"},
                characteristics=characteristics,
            )
        ],
        request_id=1,
    )
    page(station, [item("OCPPCommCtrlr", "HeartbeatInterval", {"value": "60"})], request_id=2)
    heartbeat = Variable.objects.get(component__station=station, name="HeartbeatInterval")
    assert (heartbeat.unit, heartbeat.data_type) == ("s", "integer")
    assert heartbeat.attributes.get().value == "60"


def test_the_same_pages_of_two_stations_are_kept_apart():
    one, two = StationFactory(), StationFactory()
    assert page(one, [item("EVSE", "Power", {"value": "1"}, evse={"id": 1})]) is True
    assert page(two, [item("EVSE", "Power", {"value": "2"}, evse={"id": 1})]) is True
    assert attribute(one, "EVSE", "Power").value == "1"
    assert attribute(two, "EVSE", "Power").value == "2"


def test_a_limit_the_column_cannot_hold_is_kept_as_none():
    station = StationFactory()
    page(
        station,
        [
            item(
                "Counter",
                "Count",
                characteristics={
                    "data_type": "integer",
                    "min_limit": -(2**63),
                    "max_limit": 2**63 - 1,
                    "supports_monitoring": False,
                },
            )
        ],
    )
    count = Variable.objects.get(component__station=station, name="Count")
    assert (count.min_limit, count.max_limit) == (None, None)


def test_a_report_is_complete_once_the_last_page_and_every_page_before_it_arrived():
    station = StationFactory()

    def complete():
        return device_model.report_complete(station_id=station.pk, request_id=7)

    assert complete() is False
    page(station, [item("A", "a")], seq_no=0, tbc=True)
    assert complete() is False
    # A page may carry no report data.
    assert page(station, [], seq_no=2, tbc=False) is True
    assert complete() is False  # page 1 is missing
    page(station, [item("B", "b")], seq_no=1, tbc=True)
    assert complete() is True
    assert device_model.report_complete(station_id=station.pk, request_id=8) is False
    assert device_model.report_complete(station_id=StationFactory().pk, request_id=7) is False


def big_page(value: str) -> list[dict]:
    return [
        item(
            f"Component{n % 20}",
            f"Variable{n}",
            {"type": "Actual", "value": value},
            {"type": "Target", "value": value},
            evse={"id": 1 + n % 2},
            characteristics={"data_type": "integer", "max_limit": n, "supports_monitoring": True},
        )
        for n in range(200)
    ]


def test_a_page_of_200_variables_is_stored_in_a_few_queries(django_assert_max_num_queries):
    station = StationFactory()
    with django_assert_max_num_queries(12):
        assert page(station, big_page("1"), seq_no=0) is True
    # Updating all of them costs the same.
    with django_assert_max_num_queries(12):
        assert page(station, big_page("2"), seq_no=1) is True
    with django_assert_max_num_queries(3):
        assert page(station, big_page("3"), seq_no=1) is False
    assert Variable.objects.filter(component__station=station).count() == 200
    assert VariableAttribute.objects.filter(variable__component__station=station).count() == 400
    assert set(VariableAttribute.objects.values_list("value", flat=True)) == {"2"}


# --- NotifyEvent -----------------------------------------------------------------------------


def event(event_id, timestamp="2026-01-05T10:00:00Z", **extra):
    return {
        "event_id": event_id,
        "timestamp": timestamp,
        "trigger": "Alerting",
        "actual_value": "95",
        "event_notification_type": "HardWiredMonitor",
        "component": {"name": "EVSE", "evse": {"id": 1}},
        "variable": {"name": "Temperature"},
        **extra,
    }


def store_events(station, event_data):
    return device_model.store_events(
        station_id=station.pk,
        generated_at=GENERATED,
        seq_no=0,
        tbc=False,
        event_data=device_convert.reported_events(event_data),
    )


def test_events_are_stored_once():
    station = StationFactory()
    new = store_events(
        station,
        [
            event(1, tech_code="T1", tech_info="hot", cleared=False, cause=4),
            event(2, transaction_id="TX-1", variable_monitoring_id=12),
        ],
    )
    assert new == 2
    # Replayed with one new event, and the same event id at another time (a new occurrence).
    assert store_events(station, [event(1), event(3), event(1, "2026-01-05T11:00:00Z")]) == 2
    assert store_events(station, [event(1), event(1)]) == 0
    events = DeviceEvent.objects.filter(station=station)
    assert events.count() == 4
    first = events.get(event_id=1, timestamp=datetime(2026, 1, 5, 10, tzinfo=UTC))
    assert (first.tech_code, first.tech_info, first.cleared, first.cause) == ("T1", "hot", False, 4)
    assert first.component == {"name": "EVSE", "evse": {"id": 1}}
    assert first.variable == {"name": "Temperature"}
    second = events.get(event_id=2)
    assert (second.transaction_id, second.variable_monitoring_id) == ("TX-1", 12)
    assert store_events(StationFactory(), [event(1)]) == 1


# --- NotifyMonitoringReport ------------------------------------------------------------------


def monitoring(station, monitor, *, seq_no=0, request_id=3):
    return device_model.store_monitoring_report(
        station_id=station.pk,
        request_id=request_id,
        seq_no=seq_no,
        tbc=False,
        generated_at=GENERATED,
        monitor=device_convert.monitored_variables(monitor),
    )


def monitored(variable, *monitors, component="EVSE"):
    return {
        "component": {"name": component, "evse": {"id": 1}},
        "variable": {"name": variable},
        "variable_monitoring": [
            {"id": monitor_id, "transaction": False, "value": value, "type": type_, "severity": 4}
            for monitor_id, value, type_ in monitors
        ],
    }


def test_a_monitoring_report_stores_monitors_once_per_variable_and_id():
    station = StationFactory()
    assert (
        monitoring(
            station,
            [
                monitored("Temperature", (1, 80, "UpperThreshold"), (2, -10, "LowerThreshold")),
                monitored("Power", (3, 1000.25, "Delta")),
            ],
        )
        is True
    )
    assert monitoring(station, [monitored("Temperature", (1, 99, "UpperThreshold"))]) is False
    # A later report updates the monitor, and one reported on another variable moves there.
    assert (
        monitoring(
            station,
            [
                monitored("Temperature", (1, 85, "UpperThreshold")),
                monitored("Power", (2, 5, "Delta")),
            ],
            request_id=4,
        )
        is True
    )
    rows = {
        (m.variable.name, m.monitor_id): (m.value, m.type)
        for m in VariableMonitor.objects.select_related("variable")
    }
    assert rows == {
        ("Temperature", 1): (D(85), "UpperThreshold"),
        ("Power", 2): (D(5), "Delta"),
        ("Power", 3): (D("1000.25"), "Delta"),
    }
    pages = DeviceModelReport.objects.filter(station=station, action="NotifyMonitoringReport")
    assert sorted(pages.values_list("request_id", flat=True)) == [3, 4]
    assert device_model.report_complete(
        station_id=station.pk, request_id=3, action="NotifyMonitoringReport"
    )


def test_a_monitor_the_columns_cannot_hold_is_skipped():
    station = StationFactory()
    monitoring(station, [monitored("Temperature", (1, 1e20, "UpperThreshold"), (2, 5, "Delta"))])
    assert list(VariableMonitor.objects.values_list("monitor_id", flat=True)) == [2]


# --- OCPP 1.6 configuration keys -------------------------------------------------------------


def test_v16_configuration_keys_are_variables_of_component_ocpp16():
    station = StationFactory()
    device_model.store_v16_configuration(
        station_id=station.pk,
        keys=[
            ConfigurationValue("HeartbeatInterval", "300"),
            ConfigurationValue("NumberOfConnectors", "2", read_only=True),
            ConfigurationValue("AuthorizationKey", ""),
        ],
    )
    component = Component.objects.get(station=station)
    assert (component.name, component.instance, component.evse_id, component.connector_id) == (
        "OCPP16",
        "",
        0,
        0,
    )
    values = {
        a.variable.name: (a.type, a.value, a.mutability)
        for a in VariableAttribute.objects.select_related("variable")
    }
    assert values == {
        "HeartbeatInterval": ("Actual", "300", "ReadWrite"),
        "NumberOfConnectors": ("Actual", "2", "ReadOnly"),
        "AuthorizationKey": ("Actual", "", "ReadWrite"),
    }


def test_v16_configuration_is_updated_and_unknown_keys_removed():
    station = StationFactory()
    keys = [
        ConfigurationValue("HeartbeatInterval", "300"),
        ConfigurationValue("VendorKey", "x"),
    ]
    device_model.store_v16_configuration(station_id=station.pk, keys=keys)
    device_model.store_v16_configuration(
        station_id=station.pk,
        keys=[ConfigurationValue("HeartbeatInterval", "60", read_only=True)],
        unknown_keys=["VendorKey", "NeverSeen"],
    )
    assert list(Variable.objects.values_list("name", flat=True)) == ["HeartbeatInterval"]
    heartbeat = attribute(station, "OCPP16", "HeartbeatInterval")
    assert (heartbeat.value, heartbeat.mutability) == ("60", "ReadOnly")
    assert VariableAttribute.objects.count() == 1
    device_model.store_v16_configuration(
        station_id=station.pk, keys=[], unknown_keys=["HeartbeatInterval"]
    )
    assert not Variable.objects.exists()


# --- reading ---------------------------------------------------------------------------------


def test_variables_for_station_lists_both_versions_in_two_queries(django_assert_num_queries):
    station = StationFactory()
    page(
        station,
        [
            item(
                "EVSE",
                "Power",
                {"value": "11000"},
                {"type": "Target", "value": "7000"},
                evse={"id": 1},
            ),
            item("OCPPCommCtrlr", "HeartbeatInterval", {"value": "300"}),
        ],
    )
    device_model.store_v16_configuration(
        station_id=station.pk,
        keys=[ConfigurationValue("MeterValueSampleInterval", "60")],
    )
    page(StationFactory(), [item("EVSE", "Other")])
    with django_assert_num_queries(2):
        rows = selectors.variables_for_station(station_id=station.pk)
        shown = [
            (
                row.component.name,
                row.variable.name,
                {type_: a.value for type_, a in row.attributes.items()},
            )
            for row in rows
        ]
    assert shown == [
        ("EVSE", "Power", {"Actual": "11000", "Target": "7000"}),
        ("OCPP16", "MeterValueSampleInterval", {"Actual": "60"}),
        ("OCPPCommCtrlr", "HeartbeatInterval", {"Actual": "300"}),
    ]
