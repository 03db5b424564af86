"""The OCPP 2.x-only commands over real sockets: 2.0.1 and 2.1 chargers (the `ocpp` package's
clients) answering monitoring, display message, customer information, transaction status and
network profile commands, and sending their follow-ups; a 1.6 charger is never asked."""

from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal as D
from types import ModuleType

import pytest
from ocpp.routing import after, on
from ocpp.v21 import ChargePoint as Client21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from backoffice.audit.models import AuditEvent
from stations.exceptions import CommandInvalid, StationNotConnected
from stations.models import (
    Command,
    CustomerInformationRequest,
    DisplayMessage,
    MonitoringReportRequest,
    VariableMonitor,
)
from stations.ocpp.v16.outbound.adapter import REFUSAL as V2X_ONLY
from stations.services.charging import transaction_status
from stations.services.commands.bus import Caller
from stations.services.device import (
    customer_information,
    display_messages,
    monitoring,
    monitoring_reports,
    network_profiles,
)
from tests.ocpp_client import REFUSING_CLIENTS, booted, eventually, in_thread

pytestmark = pytest.mark.asyncio

VERSIONS = ["2.0.1", "2.1"]
MONITOR = {
    "component": "EVSE",
    "evse_id": 1,
    "variable": "Power",
    "type": "UpperThreshold",
    "value": D("11000.5"),
    "severity": 4,
}
PROFILE = {
    "ocpp_csms_url": "wss://new-csms.example/ocpp",
    "security_profile": 2,
    "ocpp_interface": "Wired0",
    "ocpp_version": "OCPP20",
}


def _reported_monitor(version: str, monitor_id: int) -> dict:
    monitor = {"id": monitor_id, "transaction": False, "value": 5, "type": "Delta", "severity": 6}
    if version == "2.1":
        monitor["event_notification_type"] = "CustomMonitor"  # required from 2.1 on
    return monitor


def charger_class(version: str, result: ModuleType, call: ModuleType, base: type) -> type:
    """A charger of `version` answering every 2.x-only command; `accept` picks the answers."""

    class Charger(base):
        accept = True
        requests: list[tuple[str, dict]]

        @on("SetVariableMonitoring")
        async def on_set_variable_monitoring(self, set_monitoring_data, **kw):
            self.requests.append(("SetVariableMonitoring", set_monitoring_data))
            return result.SetVariableMonitoring(
                set_monitoring_result=[
                    {
                        "status": "Accepted" if self.accept else "Rejected",
                        "id": 100 + index if self.accept else None,
                        "type": item["type"],
                        "severity": item["severity"],
                        "component": item["component"],
                        "variable": item["variable"],
                    }
                    for index, item in enumerate(set_monitoring_data)
                ]
            )

        @on("ClearVariableMonitoring")
        async def on_clear_variable_monitoring(self, id, **kw):
            status = "Accepted" if self.accept else "Rejected"
            return result.ClearVariableMonitoring(
                clear_monitoring_result=[{"id": i, "status": status} for i in id]
            )

        @on("SetMonitoringBase")
        async def on_set_monitoring_base(self, monitoring_base, **kw):
            self.requests.append(("SetMonitoringBase", monitoring_base))
            return result.SetMonitoringBase(status="Accepted" if self.accept else "Rejected")

        @on("SetMonitoringLevel")
        async def on_set_monitoring_level(self, severity, **kw):
            self.requests.append(("SetMonitoringLevel", severity))
            return result.SetMonitoringLevel(status="Accepted" if self.accept else "Rejected")

        @on("GetMonitoringReport")
        async def on_get_monitoring_report(self, request_id, **kw):
            return result.GetMonitoringReport(status="Accepted" if self.accept else "Rejected")

        @after("GetMonitoringReport")
        async def send_monitoring_report(self, request_id, **kw):
            if not self.accept:
                return
            for seq_no, monitor_id in enumerate((100, 7)):
                await self.call(
                    call.NotifyMonitoringReport(
                        request_id=request_id,
                        seq_no=seq_no,
                        generated_at="2026-01-05T10:00:00Z",
                        tbc=seq_no == 0,
                        monitor=[
                            {
                                "component": {"name": "EVSE", "evse": {"id": 1}},
                                "variable": {"name": "Power"},
                                "variable_monitoring": [_reported_monitor(version, monitor_id)],
                            }
                        ],
                    )
                )

        @on("SetDisplayMessage")
        async def on_set_display_message(self, message, **kw):
            self.requests.append(("SetDisplayMessage", message))
            return result.SetDisplayMessage(status="Accepted" if self.accept else "Rejected")

        @on("GetDisplayMessages")
        async def on_get_display_messages(self, request_id, **kw):
            return result.GetDisplayMessages(status="Accepted" if self.accept else "Unknown")

        @after("GetDisplayMessages")
        async def send_display_messages(self, request_id, **kw):
            if self.accept:
                await self.call(
                    call.NotifyDisplayMessages(
                        request_id=request_id,
                        message_info=[
                            {
                                "id": 9,
                                "priority": "AlwaysFront",
                                "message": {"format": "ASCII", "content": "Out of order"},
                            }
                        ],
                    )
                )

        @on("ClearDisplayMessage")
        async def on_clear_display_message(self, id, **kw):
            refused = "Rejected" if version == "2.1" else "Unknown"
            return result.ClearDisplayMessage(status="Accepted" if self.accept else refused)

        @on("CustomerInformation")
        async def on_customer_information(self, request_id, report, clear, **kw):
            self.requests.append(("CustomerInformation", {"report": report, "clear": clear, **kw}))
            return result.CustomerInformation(status="Accepted" if self.accept else "Rejected")

        @after("CustomerInformation")
        async def send_customer_information(self, request_id, **kw):
            if not self.accept:
                return
            # The last page first: the back office assembles them in seqNo order.
            for seq_no, data in ((1, "sessions: 3"), (0, "token 04A1B2; ")):
                await self.call(
                    call.NotifyCustomerInformation(
                        data=data,
                        seq_no=seq_no,
                        generated_at="2026-01-05T10:00:00Z",
                        request_id=request_id,
                        tbc=seq_no == 0,
                    )
                )

        @on("GetTransactionStatus")
        async def on_get_transaction_status(self, transaction_id=None, **kw):
            self.requests.append(("GetTransactionStatus", transaction_id))
            return result.GetTransactionStatus(
                messages_in_queue=not self.accept,
                ongoing_indicator=self.accept if transaction_id else None,
            )

        @on("SetNetworkProfile")
        async def on_set_network_profile(self, configuration_slot, connection_data, **kw):
            self.requests.append(("SetNetworkProfile", connection_data))
            return result.SetNetworkProfile(status="Accepted" if self.accept else "Rejected")

    return Charger


ACTIONS = [
    "SetVariableMonitoring",
    "ClearVariableMonitoring",
    "SetMonitoringBase",
    "SetMonitoringLevel",
    "GetMonitoringReport",
    "SetDisplayMessage",
    "GetDisplayMessages",
    "ClearDisplayMessage",
    "CustomerInformation",
    "GetTransactionStatus",
    "SetNetworkProfile",
]


CHARGERS = {
    "2.0.1": ("ocpp2.0.1", charger_class("2.0.1", result201, call201, Client201)),
    "2.1": ("ocpp2.1", charger_class("2.1", result21, call21, Client21)),
}


@contextlib.asynccontextmanager
async def connected(server, station, version, *, accept=True, implemented=True):
    subprotocol, client = CHARGERS[version]
    charger = (
        type(client.__name__, (client,), {"requests": [], "accept": accept})
        if implemented
        else REFUSING_CLIENTS[subprotocol]
    )
    async with booted(
        server, station.identity, subprotocol=subprotocol, client_class=charger
    ) as cp:
        yield cp


def every_command(station_id: int) -> list[tuple[str, object, dict]]:
    return [
        ("SetVariableMonitoring", monitoring.set_variable_monitoring, {"monitors": [MONITOR]}),
        ("ClearVariableMonitoring", monitoring.clear_variable_monitoring, {"monitor_ids": [100]}),
        ("SetMonitoringBase", monitoring.set_monitoring_base, {"monitoring_base": "HardWiredOnly"}),
        ("SetMonitoringLevel", monitoring.set_monitoring_level, {"severity": 2}),
        ("GetMonitoringReport", monitoring_reports.get_monitoring_report, {}),
        ("SetDisplayMessage", display_messages.set_display_message, {"content": "Hello"}),
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
            {"configuration_slot": 2, "connection_data": PROFILE},
        ),
    ]


# --- monitoring ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
async def test_monitors_are_set_reported_and_cleared_in_the_store(server, station, version):
    async with connected(server, station, version) as cp:
        setting = await in_thread(
            monitoring.set_variable_monitoring,
            station_id=station.pk,
            monitors=[MONITOR],
            caller=Caller(label="test"),
        )
        stored = VariableMonitor.objects.get(variable__component__station=station)
        report = await in_thread(monitoring_reports.get_monitoring_report, station_id=station.pk)
        request = report.request
        done = await eventually(
            lambda: MonitoringReportRequest.objects.filter(
                pk=request.pk, completed_at__isnull=False
            ).first()
        )
        after_report = sorted(VariableMonitor.objects.values_list("monitor_id", flat=True))
        cleared = await in_thread(
            monitoring.clear_variable_monitoring, station_id=station.pk, monitor_ids=[7]
        )
    assert cp.requests[0][1][0]["value"] == 11000.5
    assert [(r.status, r.monitor_id) for r in setting.results] == [("Accepted", 100)]
    assert (stored.monitor_id, stored.value, stored.type, stored.severity) == (
        100,
        D("11000.5"),
        "UpperThreshold",
        4,
    )
    assert (report.status, request.command) == ("Accepted", report.command)
    assert (done.pages, done.status) == (2, "Accepted")
    assert after_report == [7, 100]
    assert cleared.results == {7: "Accepted"}
    assert list(VariableMonitor.objects.values_list("monitor_id", flat=True)) == [100]
    audited = AuditEvent.objects.filter(
        action__in=["stations.monitors_set", "stations.monitors_cleared"]
    )
    assert sorted((event.action, event.actor_label) for event in audited) == [
        ("stations.monitors_cleared", ""),
        ("stations.monitors_set", "test"),
    ]


@pytest.mark.parametrize("version", VERSIONS)
async def test_rejected_monitoring_commands_change_nothing(server, station, version):
    async with connected(server, station, version, accept=False):
        setting = await in_thread(
            monitoring.set_variable_monitoring, station_id=station.pk, monitors=[MONITOR]
        )
        cleared = await in_thread(
            monitoring.clear_variable_monitoring, station_id=station.pk, monitor_ids=[1]
        )
        base = await in_thread(
            monitoring.set_monitoring_base, station_id=station.pk, monitoring_base="All"
        )
        level = await in_thread(monitoring.set_monitoring_level, station_id=station.pk, severity=9)
        report = await in_thread(monitoring_reports.get_monitoring_report, station_id=station.pk)
    assert [result.status for result in setting.results] == ["Rejected"]
    assert cleared.results == {1: "Rejected"}
    assert (base.status, level.status, report.status) == ("Rejected", "Rejected", "Rejected")
    assert report.request.status == "Rejected"
    assert report.request.completed_at is None
    assert not VariableMonitor.objects.exists()


@pytest.mark.parametrize("version", VERSIONS)
async def test_the_monitoring_base_and_level_reach_the_station(server, station, version):
    async with connected(server, station, version) as cp:
        await in_thread(
            monitoring.set_variable_monitoring, station_id=station.pk, monitors=[MONITOR]
        )
        base = await in_thread(
            monitoring.set_monitoring_base, station_id=station.pk, monitoring_base="HardWiredOnly"
        )
        level = await in_thread(monitoring.set_monitoring_level, station_id=station.pk, severity=3)
    assert (base.status, level.status) == ("Accepted", "Accepted")
    assert cp.requests[1:] == [("SetMonitoringBase", "HardWiredOnly"), ("SetMonitoringLevel", 3)]
    # Hard-wired monitors only: the custom monitor set before is gone.
    assert not VariableMonitor.objects.exists()


# --- display messages ------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
async def test_display_messages_are_set_reported_and_cleared(server, station, version):
    async with connected(server, station, version) as cp:
        shown = await in_thread(
            display_messages.set_display_message,
            station_id=station.pk,
            content="Welcome",
            language="en",
        )
        asked = await in_thread(display_messages.get_display_messages, station_id=station.pk)
        await eventually(lambda: DisplayMessage.objects.filter(message_id=9).exists())
        # An unfiltered report without message 1: the station no longer shows it.
        statuses = await eventually(
            lambda: (
                dict(DisplayMessage.objects.values_list("message_id", "status"))
                if DisplayMessage.objects.filter(status="cleared").exists()
                else None
            )
        )
        cleared = await in_thread(
            display_messages.clear_display_message, station_id=station.pk, message_id=9
        )
    assert shown.accepted
    assert (shown.message.message_id, shown.message.command) == (1, shown.command)
    assert cp.requests[0] == (
        "SetDisplayMessage",
        {
            "id": 1,
            "priority": "NormalCycle",
            "message": {"format": "UTF8", "content": "Welcome", "language": "en"},
        },
    )
    assert asked.status == "Accepted"
    assert statuses == {1: "cleared", 9: "reported"}
    assert cleared.status == "Accepted"
    assert DisplayMessage.objects.get(message_id=9).status == DisplayMessage.Status.CLEARED


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_display_message_the_station_rejects_is_not_stored(server, station, version):
    async with connected(server, station, version, accept=False):
        shown = await in_thread(
            display_messages.set_display_message, station_id=station.pk, content="Welcome"
        )
        asked = await in_thread(
            display_messages.get_display_messages, station_id=station.pk, priority="InFront"
        )
        cleared = await in_thread(
            display_messages.clear_display_message, station_id=station.pk, message_id=3
        )
    assert (shown.status, shown.message) == ("Rejected", None)
    assert asked.status == "Unknown"
    assert cleared.status == ("Rejected" if version == "2.1" else "Unknown")
    assert not DisplayMessage.objects.exists()


# --- customer information --------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
async def test_customer_information_pages_are_assembled_on_the_request(server, station, version):
    async with connected(server, station, version) as cp:
        outcome = await in_thread(
            customer_information.customer_information,
            station_id=station.pk,
            clear=True,
            id_token="04A1B2",
            id_token_type="ISO14443",
        )
        request = await eventually(
            lambda: CustomerInformationRequest.objects.filter(
                pk=outcome.request.pk, complete=True
            ).first()
        )
    assert outcome.accepted
    assert cp.requests == [
        (
            "CustomerInformation",
            {"report": True, "clear": True, "id_token": {"id_token": "04A1B2", "type": "ISO14443"}},
        )
    ]
    assert (request.data, request.last_seq_no, request.command) == (
        "token 04A1B2; sessions: 3",
        1,
        outcome.command,
    )


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_refused_customer_information_request_stays_empty(server, station, version):
    async with connected(server, station, version, accept=False):
        outcome = await in_thread(
            customer_information.customer_information,
            station_id=station.pk,
            customer_identifier="C-1",
        )
        await asyncio.sleep(0.3)
    request = CustomerInformationRequest.objects.get(pk=outcome.request.pk)
    assert outcome.status == "Rejected"
    assert (request.pages, request.complete, request.command) == ({}, False, outcome.command)


# --- transaction status and network profiles -------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("accept", "ongoing", "queued"), [(True, True, False), (False, False, True)]
)
async def test_the_transaction_status_comes_back(server, station, version, accept, ongoing, queued):
    async with connected(server, station, version, accept=accept) as cp:
        one = await in_thread(
            transaction_status.get_transaction_status, station_id=station.pk, transaction_id="T-1"
        )
        queue = await in_thread(transaction_status.get_transaction_status, station_id=station.pk)
    assert cp.requests == [("GetTransactionStatus", "T-1"), ("GetTransactionStatus", None)]
    assert (one.ongoing, one.messages_in_queue) == (ongoing, queued)
    assert (queue.ongoing, queue.messages_in_queue) == (None, queued)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("accept", [True, False])
async def test_a_network_profile_reaches_the_station(server, station, version, accept):
    data = {**PROFILE, "ocpp_version": "OCPP20" if version == "2.0.1" else "OCPP21"}
    async with connected(server, station, version, accept=accept) as cp:
        outcome = await in_thread(
            network_profiles.set_network_profile,
            station_id=station.pk,
            configuration_slot=2,
            connection_data=data,
        )
    assert outcome.status == ("Accepted" if accept else "Rejected")
    assert cp.requests[0][1]["ocpp_csms_url"] == "wss://new-csms.example/ocpp"
    assert cp.requests[0][1]["ocpp_version"] == data["ocpp_version"]


# --- CALLERROR, offline, 1.6 -----------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_station_without_the_features_answers_every_command_with_a_callerror(
    server, station, version
):
    async with connected(server, station, version, implemented=False):
        outcomes = [
            await in_thread(service, station_id=station.pk, **kwargs)
            for _, service, kwargs in every_command(station.pk)
        ]
    commands = list(Command.objects.filter(station=station).order_by("created_at"))
    assert [command.action for command in commands] == ACTIONS
    assert {(command.state, command.error_code) for command in commands} == {
        (Command.State.CALL_ERROR, "NotImplemented")
    }
    assert all(getattr(outcome, "status", "") == "" for outcome in outcomes)
    assert not VariableMonitor.objects.exists()
    assert not DisplayMessage.objects.exists()
    assert not CustomerInformationRequest.objects.get().pages


async def test_every_command_to_an_offline_station_raises_at_once(server, station):
    station.ocpp_version = "2.1"
    station.save()
    for _, service, kwargs in every_command(station.pk):
        with pytest.raises(StationNotConnected):
            await in_thread(service, station_id=station.pk, **kwargs)
    states = set(Command.objects.filter(station=station).values_list("state", flat=True))
    assert states == {Command.State.OFFLINE}
    assert Command.objects.filter(station=station).count() == len(ACTIONS)


async def test_a_16_station_is_never_sent_a_2x_command(server, station):
    async with booted(server, station.identity, subprotocol="ocpp1.6"):
        for action, service, kwargs in every_command(station.pk):
            with pytest.raises(CommandInvalid) as invalid:
                await in_thread(service, station_id=station.pk, **kwargs)
            assert invalid.value.message == V2X_ONLY.format(title=action)
    assert not Command.objects.filter(station=station).exists()
