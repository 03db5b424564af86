"""Device-model reports over real sockets: 2.0.1 and 2.1 chargers answering GetBaseReport and
GetReport, then sending the NotifyReport pages tied to the request; 1.6 refused."""

from __future__ import annotations

import contextlib

import pytest
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v21 import ChargePoint as Client21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from stations.exceptions import CommandInvalid, StationNotConnected
from stations.models import Command, DeviceReportRequest, Variable, VariableAttribute
from stations.services.device import device_model, device_reports
from stations.services.device.device_reports import ComponentVariable
from tests.ocpp_client import REFUSING_CLIENTS, booted, in_thread

pytestmark = pytest.mark.asyncio

VERSIONS = ["2.0.1", "2.1"]


class Reporter201(Client201):
    answer = "Accepted"
    requests: list[tuple[str, dict]]

    @on("GetBaseReport")
    async def on_get_base_report(self, request_id, report_base, **kwargs):
        self.requests.append(("GetBaseReport", {"request_id": request_id, "base": report_base}))
        return result201.GetBaseReport(status=self.answer)

    @on("GetReport")
    async def on_get_report(self, request_id, **kwargs):
        self.requests.append(("GetReport", {"request_id": request_id, **kwargs}))
        return result201.GetReport(status=self.answer)


class Reporter21(Client21):
    answer = "Accepted"
    requests: list[tuple[str, dict]]

    @on("GetBaseReport")
    async def on_get_base_report(self, request_id, report_base, **kwargs):
        self.requests.append(("GetBaseReport", {"request_id": request_id, "base": report_base}))
        return result21.GetBaseReport(status=self.answer)

    @on("GetReport")
    async def on_get_report(self, request_id, **kwargs):
        self.requests.append(("GetReport", {"request_id": request_id, **kwargs}))
        return result21.GetReport(status=self.answer)


CHARGERS = {
    "2.0.1": ("ocpp2.0.1", Reporter201, call201),
    "2.1": ("ocpp2.1", Reporter21, call21),
}


@contextlib.asynccontextmanager
async def connected(server, station, version, *, answer="Accepted", implemented=True):
    subprotocol, client, _ = CHARGERS[version]
    charger_class = (
        type(client.__name__, (client,), {"requests": [], "answer": answer})
        if implemented
        else REFUSING_CLIENTS[subprotocol]
    )
    async with booted(
        server, station.identity, subprotocol=subprotocol, client_class=charger_class
    ) as cp:
        yield cp


def notify_report(version, request_id, seq_no, tbc, variables):
    calls = CHARGERS[version][2]
    return calls.NotifyReport(
        request_id=request_id,
        generated_at="2026-03-01T12:00:00Z",
        seq_no=seq_no,
        tbc=tbc,
        report_data=[
            {
                "component": {"name": component},
                "variable": {"name": variable},
                "variable_attribute": [{"type": "Actual", "value": value}],
            }
            for component, variable, value in variables
        ],
    )


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_full_inventory_is_paged_into_the_store_and_prunes_the_rest(
    server, station, version
):
    # What an earlier report left: the station no longer has this controller.
    device_model.store_actual_values(station_id=station.pk, values={("OldCtrlr", "Enabled"): "1"})
    async with connected(server, station, version) as cp:
        result = await in_thread(device_reports.get_base_report, station_id=station.pk)
        request_id = cp.requests[0][1]["request_id"]
        await cp.call(
            notify_report(version, request_id, 0, True, [("OCPPCommCtrlr", "Retries", "3")])
        )
        pending = DeviceReportRequest.objects.get(pk=result.report.pk)
        await cp.call(
            notify_report(version, request_id, 1, False, [("AuthCtrlr", "Enabled", "true")])
        )
    assert result.accepted
    assert cp.requests[0] == (
        "GetBaseReport",
        {"request_id": result.request_id, "base": "FullInventory"},
    )
    assert (pending.pages, pending.completed_at) == (1, None)
    report = DeviceReportRequest.objects.get(pk=result.report.pk)
    assert (report.command, report.status, report.pages) == (result.command, "Accepted", 2)
    assert report.completed_at is not None
    assert report.pruned_variables == 1
    stored = sorted(
        VariableAttribute.objects.filter(variable__component__station=station).values_list(
            "variable__component__name", "variable__name", "value"
        )
    )
    assert stored == [("AuthCtrlr", "Enabled", "true"), ("OCPPCommCtrlr", "Retries", "3")]


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_custom_report_asks_for_the_components_named(server, station, version):
    async with connected(server, station, version) as cp:
        result = await in_thread(
            device_reports.get_report,
            station_id=station.pk,
            component_criteria=["Problem"],
            component_variables=[
                ComponentVariable(component="EVSE", evse_id=1, variable="AvailabilityState")
            ],
        )
        await cp.call(
            notify_report(version, result.request_id, 0, False, [("EVSE", "Power", "11000")])
        )
    action, request = cp.requests[0]
    assert action == "GetReport"
    assert request["component_criteria"] == ["Problem"]
    assert request["component_variable"] == [
        {
            "component": {"name": "EVSE", "evse": {"id": 1}},
            "variable": {"name": "AvailabilityState"},
        }
    ]
    report = DeviceReportRequest.objects.get(pk=result.report.pk)
    assert (report.pages, report.pruned_variables) == (1, 0)
    assert report.completed_at is not None
    assert Variable.objects.filter(component__station=station, name="Power").exists()


@pytest.mark.parametrize(
    ("version", "answer"), [("2.0.1", "NotSupported"), ("2.1", "EmptyResultSet")]
)
async def test_a_report_the_station_does_not_give_is_reported(server, station, version, answer):
    async with connected(server, station, version, answer=answer):
        result = await in_thread(
            device_reports.get_base_report, station_id=station.pk, report_base="SummaryInventory"
        )
    assert (result.accepted, result.status) == (False, answer)
    report = DeviceReportRequest.objects.get(pk=result.report.pk)
    assert (report.status, report.report_base, report.completed_at) == (
        answer,
        "SummaryInventory",
        None,
    )


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_station_without_reports_answers_a_callerror(server, station, version):
    async with connected(server, station, version, implemented=False):
        result = await in_thread(device_reports.get_base_report, station_id=station.pk)
    assert result.command.state == Command.State.CALL_ERROR
    assert result.command.error_code == "NotImplemented"
    assert result.status == ""
    assert DeviceReportRequest.objects.get(pk=result.report.pk).command == result.command


async def test_a_connected_16_station_is_sent_nothing(server, station):
    async with booted(server, station.identity, subprotocol="ocpp1.6", client_class=Client16):
        with pytest.raises(CommandInvalid) as invalid:
            await in_thread(device_reports.get_base_report, station_id=station.pk)
    assert invalid.value.message == device_reports.V16_HAS_NO_REPORTS
    assert not Command.objects.filter(station=station).exists()


async def test_a_report_from_an_offline_station_raises_and_keeps_the_request(server, station):
    station.ocpp_version = "2.0.1"
    station.save(update_fields=["ocpp_version"])
    with pytest.raises(StationNotConnected) as offline:
        await in_thread(device_reports.get_base_report, station_id=station.pk)
    report = DeviceReportRequest.objects.get(station=station)
    assert report.command == offline.value.command
    assert offline.value.command.state == Command.State.OFFLINE
