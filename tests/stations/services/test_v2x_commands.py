"""The OCPP 2.x-only commands without a socket: what each version gets, what is refused before
anything is sent, and how the station's follow-ups land.

The services are driven against an offline station: the bus validates the payload against the
station's own schema (2.0.1 or 2.1), records the command and raises StationNotConnected, so
the recorded command shows exactly what would have been sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from stations.exceptions import CommandInvalid
from stations.models import (
    Command,
    CustomerInformationRequest,
    DisplayMessage,
    MonitoringReportRequest,
    VariableMonitor,
)
from stations.ocpp.v16.outbound.adapter import REFUSAL as V2X_ONLY
from stations.ocpp.v201 import device_convert
from stations.ocpp.v201.outbound import charging as v2x_charging
from stations.ocpp.v201.outbound import network_profiles as network_profile_builders
from stations.ocpp.v201.outbound.only_in_21 import V21_ONLY
from stations.services.charging import transaction_status
from stations.services.commands import adapters
from stations.services.commands.requests import CONNECTOR_NEEDS_EVSE
from stations.services.device import (
    customer_information,
    display_messages,
    monitoring,
    monitoring_reports,
    network_profiles,
)
from stations.services.device.requests import (
    CertificateHash,
    ConnectionProfile,
    CustomerInformation,
    GetMonitoringReport,
    MonitorSetting,
    SetDisplayMessage,
    SetMonitoringBase,
    SetMonitoringLevel,
    SetNetworkProfile,
    SetVariableMonitoring,
    component_variable,
)
from stations.services.device.types import MessageContent
from tests.commands import sent
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db

GENERATED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
MONITOR = {
    "component": "EVSE",
    "evse_id": 1,
    "variable": "Power",
    "type": "UpperThreshold",
    "value": D("22000"),
    "severity": 4,
}


@pytest.fixture
def v201():
    return StationFactory(ocpp_version="2.0.1")


def build(version, request):
    return adapters.build(version=version, request=request)


def set_monitors(*, version, monitors):
    """The SetVariableMonitoring of the monitors as the service takes them."""
    request = SetVariableMonitoring(tuple(MonitorSetting.of(item) for item in monitors))
    return build(version, request)


def set_display_message(*, version, message_id, content, message_format="UTF8", extra=(), **kw):
    """The SetDisplayMessage of the service's arguments."""
    request = SetDisplayMessage(
        message_id=message_id,
        content=MessageContent(content=content, format=message_format),
        extra=tuple(MessageContent(content=item["content"]) for item in extra),
        **kw,
    )
    return build(version, request)


def customer(*, version, customer_certificate=None, **kwargs):
    """The CustomerInformation of the service's arguments."""
    certificate = CertificateHash(**customer_certificate) if customer_certificate else None
    return build(version, CustomerInformation(customer_certificate=certificate, **kwargs))


def network_profile(*, version, configuration_slot, connection_data, **kwargs):
    """The SetNetworkProfile of the service's arguments."""
    request = SetNetworkProfile(
        configuration_slot=configuration_slot,
        connection=ConnectionProfile.of(connection_data),
        **kwargs,
    )
    return build(version, request)


# --- the 1.6 refusal -------------------------------------------------------------------------

CALLS = [
    ("SetVariableMonitoring", monitoring.set_variable_monitoring, {"monitors": [MONITOR]}),
    ("ClearVariableMonitoring", monitoring.clear_variable_monitoring, {"monitor_ids": [1]}),
    ("SetMonitoringBase", monitoring.set_monitoring_base, {"monitoring_base": "All"}),
    ("SetMonitoringLevel", monitoring.set_monitoring_level, {"severity": 3}),
    ("GetMonitoringReport", monitoring_reports.get_monitoring_report, {}),
    ("SetDisplayMessage", display_messages.set_display_message, {"content": "Hi"}),
    ("GetDisplayMessages", display_messages.get_display_messages, {}),
    ("ClearDisplayMessage", display_messages.clear_display_message, {"message_id": 1}),
    (
        "CustomerInformation",
        customer_information.customer_information,
        {"customer_identifier": "C-1"},
    ),
    ("GetTransactionStatus", transaction_status.get_transaction_status, {}),
    (
        "SetNetworkProfile",
        network_profiles.set_network_profile,
        {
            "configuration_slot": 1,
            "connection_data": {
                "ocpp_csms_url": "ws://csms.example/ocpp",
                "security_profile": 1,
                "ocpp_interface": "Wired0",
                "ocpp_version": "OCPP20",
            },
        },
    ),
]


@pytest.mark.parametrize(("action", "service", "kwargs"), CALLS, ids=[c[0] for c in CALLS])
@pytest.mark.parametrize("version", ["1.6", ""])
def test_a_16_station_is_refused_before_anything_is_sent(action, service, kwargs, version):
    station = StationFactory(ocpp_version=version)
    with pytest.raises(CommandInvalid) as invalid:
        service(station_id=station.pk, **kwargs)
    assert invalid.value.message == V2X_ONLY.format(title=action)
    assert not Command.objects.exists()
    assert not MonitoringReportRequest.objects.exists()
    assert not CustomerInformationRequest.objects.exists()


@pytest.mark.parametrize(("action", "service", "kwargs"), CALLS, ids=[c[0] for c in CALLS])
def test_every_command_is_valid_for_both_2x_schemas(action, service, kwargs, v2x):
    command = sent(service, station_id=v2x.pk, **kwargs)
    assert command.action == action


# --- monitoring ------------------------------------------------------------------------------


def test_a_monitor_is_sent_as_set_monitoring_data(v2x):
    command = sent(
        monitoring.set_variable_monitoring,
        station_id=v2x.pk,
        monitors=[{**MONITOR, "connector_id": 2, "transaction": True, "monitor_id": 7}],
    )
    assert command.payload == {
        "setMonitoringData": [
            {
                "value": 22000,
                "type": "UpperThreshold",
                "severity": 4,
                "component": {"name": "EVSE", "evse": {"id": 1, "connectorId": 2}},
                "variable": {"name": "Power"},
                "transaction": True,
                "id": 7,
            }
        ]
    }


def test_target_delta_monitors_and_event_streams_are_21_only():
    with pytest.raises(CommandInvalid) as target:
        set_monitors(version="2.0.1", monitors=[{**MONITOR, "type": "TargetDelta"}])
    assert target.value.message == V21_ONLY.format(what="The monitor type TargetDelta")
    with pytest.raises(CommandInvalid) as stream:
        set_monitors(
            version="2.0.1", monitors=[{**MONITOR, "periodic_event_stream": {"interval": 5}}]
        )
    assert stream.value.field == "periodic_event_stream"
    built = set_monitors(
        version="2.1",
        monitors=[
            {
                **MONITOR,
                "type": "TargetDelta",
                "periodic_event_stream": {"interval": 5, "values": 2},
            }
        ],
    )
    data = built.payload["setMonitoringData"][0]
    assert (data["type"], data["periodicEventStream"]) == (
        "TargetDelta",
        {"interval": 5, "values": 2},
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"severity": 10}, monitoring.SEVERITY_RANGE),
        ({"type": "Periodic", "value": 0}, monitoring.PERIODIC_NEEDS_INTERVAL),
        (
            {"type": "Sometimes"},
            monitoring.UNKNOWN_MONITOR_TYPE.format(types=", ".join(monitoring.MONITOR_TYPES)),
        ),
    ],
)
def test_a_monitor_out_of_the_specification_is_refused(change, message):
    with pytest.raises(CommandInvalid) as invalid:
        set_monitors(version="2.0.1", monitors=[{**MONITOR, **change}])
    assert invalid.value.message == message


def test_a_connector_without_its_evse_is_refused():
    ref = {k: v for k, v in MONITOR.items() if k != "evse_id"}
    with pytest.raises(CommandInvalid) as invalid:
        set_monitors(version="2.1", monitors=[{**ref, "connector_id": 1}])
    assert invalid.value.message == CONNECTOR_NEEDS_EVSE


def test_monitoring_level_and_base_are_checked():
    assert build("2.0.1", SetMonitoringLevel(severity=0)).payload == {"severity": 0}
    with pytest.raises(CommandInvalid, match="severity"):
        build("2.0.1", SetMonitoringLevel(severity=-1))
    with pytest.raises(CommandInvalid) as base:
        build("2.0.1", SetMonitoringBase(monitoring_base="Some"))
    assert base.value.message == monitoring.UNKNOWN_MONITORING_BASE


def test_a_filtered_monitoring_report_request_names_its_filters():
    built = build(
        "2.0.1",
        GetMonitoringReport(
            request_id=5,
            criteria=("DeltaMonitoring", "DeltaMonitoring"),
            component_variables=(
                component_variable({"component": "EVSE", "evse_id": 1}),
                component_variable({"component": "A", "variable": "B"}),
            ),
        ),
    )
    assert built.payload == {
        "requestId": 5,
        "monitoringCriteria": ["DeltaMonitoring"],
        "componentVariable": [
            {"component": {"name": "EVSE", "evse": {"id": 1}}},
            {"component": {"name": "A"}, "variable": {"name": "B"}},
        ],
    }
    with pytest.raises(CommandInvalid) as invalid:
        build("2.0.1", GetMonitoringReport(request_id=5, criteria=("Nope",)))
    assert invalid.value.message == monitoring_reports.UNKNOWN_CRITERION


def _page(request_id, seq_no, tbc, *monitor_ids, station):
    return monitoring_reports.receive_report_page(
        station_id=station.pk,
        request_id=request_id,
        seq_no=seq_no,
        tbc=tbc,
        generated_at=GENERATED,
        monitor=device_convert.monitored_variables(
            [
                {
                    "component": {"name": "EVSE", "evse": {"id": 1}},
                    "variable": {"name": "Power"},
                    "variable_monitoring": [
                        {"id": i, "transaction": False, "value": 10, "type": "Delta", "severity": 5}
                        for i in monitor_ids
                    ],
                }
            ]
        ),
    )


def test_a_complete_unfiltered_monitoring_report_replaces_the_store(v201):
    _page(1, 0, False, 1, 2, station=v201)  # what the station reported before
    command = sent(monitoring_reports.get_monitoring_report, station_id=v201.pk)
    request = MonitoringReportRequest.objects.get(command=command)
    assert (request.station, request.criteria) == (v201, {})
    # Pages out of order: the report completes when the last gap closes.
    assert _page(request.request_id, 1, False, 3, station=v201)
    assert MonitoringReportRequest.objects.get(pk=request.pk).completed_at is None
    assert _page(request.request_id, 0, True, 2, station=v201)
    assert not _page(request.request_id, 0, True, 2, station=v201)  # a replay
    request.refresh_from_db()
    assert (request.pages, request.pruned_monitors) == (2, 1)
    assert request.completed_at is not None
    stored = VariableMonitor.objects.filter(variable__component__station=v201)
    assert sorted(stored.values_list("monitor_id", flat=True)) == [2, 3]
    assert [page.seq_no for page in monitoring_reports.report_pages(request=request)] == [0, 1]


def test_a_filtered_monitoring_report_prunes_nothing(v201):
    _page(1, 0, False, 1, station=v201)
    sent(monitoring_reports.get_monitoring_report, station_id=v201.pk, criteria=["DeltaMonitoring"])
    request = MonitoringReportRequest.objects.get()
    _page(request.request_id, 0, False, 2, station=v201)
    request.refresh_from_db()
    assert request.completed_at is not None
    assert sorted(VariableMonitor.objects.values_list("monitor_id", flat=True)) == [1, 2]


def test_pages_of_a_report_nobody_asked_for_are_stored_all_the_same(v201):
    assert _page(99, 0, False, 4, station=v201)
    assert list(VariableMonitor.objects.values_list("monitor_id", flat=True)) == [4]
    assert not MonitoringReportRequest.objects.exists()


def test_a_monitoring_report_refused_by_the_schema_leaves_no_request(v201, monkeypatch):
    def refuse(**kwargs):
        raise CommandInvalid("nope")

    monkeypatch.setattr(monitoring_reports.outbound, "send", refuse)
    with pytest.raises(CommandInvalid):
        monitoring_reports.get_monitoring_report(station_id=v201.pk)
    assert not MonitoringReportRequest.objects.exists()


# --- display messages ------------------------------------------------------------------------


def test_a_display_message_is_sent_with_its_schedule_and_display(v2x):
    start = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
    command = sent(
        display_messages.set_display_message,
        station_id=v2x.pk,
        content="Welcome",
        priority="InFront",
        language="en",
        state="Idle",
        start_at=start,
        end_at=start + timedelta(hours=1),
        display={"component": "Display", "evse_id": 1},
    )
    assert command.payload == {
        "message": {
            "id": 1,
            "priority": "InFront",
            "message": {"format": "UTF8", "content": "Welcome", "language": "en"},
            "state": "Idle",
            "startDateTime": "2026-02-01T08:00:00.000Z",
            "endDateTime": "2026-02-01T09:00:00.000Z",
            "display": {"name": "Display", "evse": {"id": 1}},
        }
    }


def test_a_new_display_message_gets_the_next_free_id(v201):
    DisplayMessage.objects.create(
        station=v201,
        message_id=4,
        priority="NormalCycle",
        format="UTF8",
        content="x",
        status=DisplayMessage.Status.REPORTED,
    )
    command = sent(display_messages.set_display_message, station_id=v201.pk, content="Hi")
    assert command.payload["message"]["id"] == 5


def test_display_message_differences_between_201_and_21_are_checked():
    long = "x" * 600
    with pytest.raises(CommandInvalid) as too_long:
        set_display_message(version="2.0.1", message_id=1, content=long)
    assert too_long.value.message == display_messages.CONTENT_TOO_LONG.format(
        length=600, version="2.0.1", limit=512
    )
    assert set_display_message(version="2.1", message_id=1, content=long)
    for change in (
        {"message_format": "QRCODE"},
        {"state": "Discharging"},
        {"extra": [{"content": "Hallo"}]},
    ):
        with pytest.raises(CommandInvalid):
            set_display_message(version="2.0.1", message_id=1, content="x", **change)
        assert set_display_message(version="2.1", message_id=1, content="x", **change)


def test_a_display_message_ending_before_it_starts_is_refused():
    start = datetime(2026, 2, 1, tzinfo=UTC)
    with pytest.raises(CommandInvalid) as invalid:
        set_display_message(version="2.1", message_id=1, content="x", start_at=start, end_at=start)
    assert invalid.value.message == display_messages.ENDS_BEFORE_START


def _reported(message_id, content="Shown"):
    return {
        "id": message_id,
        "priority": "NormalCycle",
        "message": {"format": "UTF8", "content": content, "language": "en"},
        "start_date_time": "2026-02-01T08:00:00Z",
        "display": {"name": "Display", "evse": {"id": 1, "connector_id": 1}},
    }


def reported(*message_info):
    """A NotifyDisplayMessages page's messages as the adapter passes them on."""
    return device_convert.display_messages(list(message_info))


def test_reported_display_messages_are_stored_and_the_full_report_clears_the_rest(v201):
    display_messages.receive_report(
        station_id=v201.pk,
        request_id=1,
        tbc=False,
        message_info=reported(_reported(1), _reported(2)),
    )
    command = sent(display_messages.get_display_messages, station_id=v201.pk)
    request_id = command.payload["requestId"]
    display_messages.receive_report(
        station_id=v201.pk,
        request_id=request_id,
        tbc=True,
        message_info=reported(_reported(2, "New")),
    )
    assert DisplayMessage.objects.get(message_id=1).status == DisplayMessage.Status.REPORTED
    display_messages.receive_report(
        station_id=v201.pk, request_id=request_id, tbc=False, message_info=reported(_reported(3))
    )
    statuses = dict(DisplayMessage.objects.values_list("message_id", "status"))
    assert statuses == {1: "cleared", 2: "reported", 3: "reported"}
    two = DisplayMessage.objects.get(message_id=2)
    assert (two.content, two.language, two.display) == (
        "New",
        "en",
        {"component": "Display", "evse_id": 1, "connector_id": 1},
    )
    assert two.start_at == datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


def test_a_filtered_display_messages_report_clears_nothing(v201):
    display_messages.receive_report(
        station_id=v201.pk, request_id=1, tbc=False, message_info=reported(_reported(1))
    )
    command = sent(display_messages.get_display_messages, station_id=v201.pk, priority="InFront")
    display_messages.receive_report(
        station_id=v201.pk,
        request_id=command.payload["requestId"],
        tbc=False,
        message_info=reported(),
    )
    assert DisplayMessage.objects.get(message_id=1).status == DisplayMessage.Status.REPORTED


# --- customer information --------------------------------------------------------------------


def test_customer_information_names_one_customer(v2x):
    command = sent(
        customer_information.customer_information,
        station_id=v2x.pk,
        clear=True,
        id_token="04A1B2",
        id_token_type="ISO14443",
    )
    assert command.payload["idToken"] == {"idToken": "04A1B2", "type": "ISO14443"}
    assert (command.payload["report"], command.payload["clear"]) == (True, True)
    request = CustomerInformationRequest.objects.get()
    assert (request.command, request.request_id, request.id_token) == (
        command,
        command.payload["requestId"],
        "04A1B2",
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"report": False, "clear": False, "customer_identifier": "C"},
            customer_information.NOTHING_ASKED,
        ),
        ({}, customer_information.ONE_CUSTOMER),
        (
            {"customer_identifier": "C", "id_token": "T", "id_token_type": "Local"},
            customer_information.ONE_CUSTOMER,
        ),
        ({"id_token": "T"}, customer_information.ID_TOKEN_NEEDS_TYPE),
        (
            {"customer_certificate": {"hash_algorithm": "MD5"}},
            customer_information.CERTIFICATE_INCOMPLETE,
        ),
    ],
)
def test_a_customer_information_request_out_of_the_specification_is_refused(kwargs, message):
    with pytest.raises(CommandInvalid) as invalid:
        customer(version="2.1", request_id=1, **{"report": True, "clear": False, **kwargs})
    assert invalid.value.message == message


def test_id_token_types_and_lengths_differ_between_201_and_21():
    kwargs = {"request_id": 1, "report": True, "clear": False}
    with pytest.raises(CommandInvalid):
        customer(version="2.0.1", id_token="T", id_token_type="DirectPayment", **kwargs)
    assert customer(version="2.1", id_token="T", id_token_type="DirectPayment", **kwargs)
    with pytest.raises(CommandInvalid):
        customer(version="2.0.1", id_token="T" * 40, id_token_type="Local", **kwargs)
    assert customer(version="2.1", id_token="T" * 40, id_token_type="Local", **kwargs)


def test_customer_information_pages_are_assembled_in_seq_no_order(v201):
    command = sent(
        customer_information.customer_information, station_id=v201.pk, customer_identifier="C-1"
    )
    request_id = command.payload["requestId"]

    def page(seq_no, tbc, data):
        return customer_information.receive_page(
            station_id=v201.pk,
            request_id=request_id,
            seq_no=seq_no,
            tbc=tbc,
            generated_at=GENERATED,
            data=data,
        )

    assert not page(2, False, "three").complete
    assert not page(0, True, "one ").complete
    page(0, True, "replayed")
    done = page(1, True, "two ")
    assert (done.data, done.complete, done.last_seq_no) == ("one two three", True, 2)
    assert done.command == command


def test_customer_information_pages_nobody_asked_for_get_their_own_request(v201):
    request = customer_information.receive_page(
        station_id=v201.pk, request_id=42, seq_no=0, tbc=False, generated_at=GENERATED, data="x"
    )
    assert (request.command, request.data, request.complete) == (None, "x", True)


# --- transaction status and network profiles -------------------------------------------------


def test_transaction_status_asks_about_one_transaction_or_the_queue(v2x):
    one = sent(transaction_status.get_transaction_status, station_id=v2x.pk, transaction_id="T-1")
    assert one.payload == {"transactionId": "T-1"}
    with pytest.raises(CommandInvalid) as invalid:
        transaction_status.get_transaction_status(station_id=v2x.pk, transaction_id="x" * 37)
    assert invalid.value.message == v2x_charging.TRANSACTION_ID_TOO_LONG


PROFILE = {
    "ocpp_csms_url": "wss://csms.example/ocpp",
    "security_profile": 2,
    "ocpp_interface": "Wireless0",
    "ocpp_version": "OCPP20",
}


def test_a_network_profile_is_sent_as_connection_data(v2x):
    command = sent(
        network_profiles.set_network_profile,
        station_id=v2x.pk,
        configuration_slot=2,
        connection_data={
            **PROFILE,
            "message_timeout": 45,
            "apn": {"apn": "internet", "apn_authentication": "AUTO", "sim_pin": 1234},
        },
    )
    assert command.payload == {
        "configurationSlot": 2,
        "connectionData": {
            "ocppTransport": "JSON",
            "ocppCsmsUrl": "wss://csms.example/ocpp",
            "messageTimeout": 45,
            "securityProfile": 2,
            "ocppInterface": "Wireless0",
            "ocppVersion": "OCPP20",
            # The schema's default, filled in by the bus's validation.
            "apn": {
                "apn": "internet",
                "simPin": 1234,
                "apnAuthentication": "AUTO",
                "useOnlyPreferredNetwork": False,
            },
        },
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ocpp_version": ""}, network_profiles.VERSION_REQUIRED),
        (
            {"ocpp_version": "OCPP21"},
            network_profiles.UNKNOWN_VERSION.format(
                versions=", ".join(network_profile_builders.OCPP_VERSIONS["2.0.1"])
            ),
        ),
        ({"ocpp_interface": "Any"}, V21_ONLY.format(what="The network interface Any")),
        ({"identity": "CP-2"}, V21_ONLY.format(what="A profile's identity")),
        ({"security_profile": 0}, network_profiles.BAD_SECURITY_PROFILE.format(profiles="1, 2, 3")),
        ({"ocpp_csms_url": "ws://csms.example/ocpp"}, network_profiles.BAD_URL),
        ({"ocpp_transport": "SOAP"}, network_profiles.UNKNOWN_TRANSPORT),
        ({"message_timeout": -1}, network_profiles.BAD_TIMEOUT),
        ({"vpn": {"server": "vpn.example"}}, network_profiles.VPN_INCOMPLETE),
    ],
)
def test_a_201_network_profile_out_of_its_schema_is_refused(change, message):
    with pytest.raises(CommandInvalid) as invalid:
        network_profile(
            version="2.0.1", configuration_slot=1, connection_data={**PROFILE, **change}
        )
    assert invalid.value.message == message


def test_a_21_network_profile_may_carry_the_new_identity_and_leave_out_the_version():
    built = network_profile(
        version="2.1",
        configuration_slot=1,
        connection_data={
            **PROFILE,
            "ocpp_version": "",
            "ocpp_interface": "Any",
            "identity": "CP-2",
            "basic_auth_password": "s" * 20,
        },
    )
    data = built.payload["connectionData"]
    assert "ocppVersion" not in data
    assert (data["ocppInterface"], data["identity"]) == ("Any", "CP-2")


def test_a_network_profile_may_not_lower_the_security_profile():
    with pytest.raises(CommandInvalid) as invalid:
        network_profile(
            version="2.1",
            configuration_slot=1,
            connection_data={**PROFILE, "security_profile": 1, "ocpp_csms_url": "ws://a/b"},
            current_security_profile=2,
        )
    assert invalid.value.message == network_profiles.SECURITY_DOWNGRADE.format(current=2, new=1)


def test_the_station_security_profile_is_the_floor(v21):
    v21.security_profile = 3
    v21.save()
    with pytest.raises(CommandInvalid, match="lower it to 2"):
        network_profiles.set_network_profile(
            station_id=v21.pk, configuration_slot=1, connection_data=PROFILE
        )
    assert not Command.objects.exists()


def test_an_incomplete_monitor_or_profile_is_refused_with_a_message():
    with pytest.raises(CommandInvalid) as monitor:
        set_monitors(
            version="2.1", monitors=[{k: v for k, v in MONITOR.items() if k != "severity"}]
        )
    assert monitor.value.message == monitoring.MONITOR_INCOMPLETE
    with pytest.raises(CommandInvalid) as profile:
        network_profile(
            version="2.1", configuration_slot=1, connection_data={"ocpp_interface": "Any"}
        )
    assert profile.value.message == network_profiles.PROFILE_INCOMPLETE
