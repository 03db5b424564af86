"""The OCPP 2.1-only commands over real sockets: a 2.1 charger accepting, refusing or not
implementing each of them, a 2.0.1 charger never sent one, and what the answers (and the
station's follow-up reports) leave in the back office.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from ocpp.routing import on
from ocpp.v21 import ChargePoint as Client21
from ocpp.v21 import call
from ocpp.v21 import call_result as result

from backoffice.audit.models import AuditEvent
from stations.exceptions import CommandInvalid
from stations.models import (
    Command,
    DefaultTariff,
    DerControl,
    DerControlReport,
    PeriodicEventStream,
)
from stations.ocpp.v21.outbound import adapter as v21_adapter
from stations.services.charging import energy_transfer, station_tariffs
from stations.services.device import event_streams
from stations.services.smart_charging import der_control
from tests.ocpp_client import Refusing21, booted, eventually, in_thread
from tests.stations.v21_cases import CASES, CURVE, TARIFF, WITH_STATUS, ids

pytestmark = pytest.mark.asyncio

REJECTED = {case.action: case.rejected for case in CASES}


class Charger21(Client21):
    """Answers every 2.1-only command: Accepted, or its refusal when `refuse` is set."""

    refuse = False
    requests: list[tuple[str, dict]]
    superseded_ids: list[str] | None = None
    tariff_assignments: list[dict] | None = None
    streams: list[dict] | None = None

    def answer(self, action: str, request: dict) -> str:
        self.requests.append((action, request))
        return (REJECTED[action] or "Rejected") if self.refuse else "Accepted"

    @on("RequestBatterySwap")
    async def on_request_battery_swap(self, **kw):
        return result.RequestBatterySwap(status=self.answer("RequestBatterySwap", kw))

    @on("UsePriorityCharging")
    async def on_use_priority_charging(self, **kw):
        status = self.answer("UsePriorityCharging", kw)
        info = {"reason_code": "NotFound"} if status == "NoProfile" else None
        return result.UsePriorityCharging(status=status, status_info=info)

    @on("UpdateDynamicSchedule")
    async def on_update_dynamic_schedule(self, **kw):
        return result.UpdateDynamicSchedule(status=self.answer("UpdateDynamicSchedule", kw))

    @on("AFRRSignal")
    async def on_afrr_signal(self, **kw):
        return result.AFRRSignal(status=self.answer("AFRRSignal", kw))

    @on("NotifyAllowedEnergyTransfer")
    async def on_notify_allowed_energy_transfer(self, **kw):
        status = self.answer("NotifyAllowedEnergyTransfer", kw)
        return result.NotifyAllowedEnergyTransfer(status=status)

    @on("NotifyWebPaymentStarted")
    async def on_notify_web_payment_started(self, **kw):
        self.answer("NotifyWebPaymentStarted", kw)
        return result.NotifyWebPaymentStarted()

    @on("SetDERControl")
    async def on_set_der_control(self, **kw):
        status = self.answer("SetDERControl", kw)
        superseded = self.superseded_ids if status == "Accepted" else None
        return result.SetDERControl(status=status, superseded_ids=superseded)

    @on("GetDERControl")
    async def on_get_der_control(self, **kw):
        return result.GetDERControl(status=self.answer("GetDERControl", kw))

    @on("ClearDERControl")
    async def on_clear_der_control(self, **kw):
        return result.ClearDERControl(status=self.answer("ClearDERControl", kw))

    @on("SetDefaultTariff")
    async def on_set_default_tariff(self, **kw):
        return result.SetDefaultTariff(status=self.answer("SetDefaultTariff", kw))

    @on("GetTariffs")
    async def on_get_tariffs(self, **kw):
        status = self.answer("GetTariffs", kw)
        assignments = self.tariff_assignments if status == "Accepted" else None
        return result.GetTariffs(status=status, tariff_assignments=assignments)

    @on("ClearTariffs")
    async def on_clear_tariffs(self, **kw):
        status = "NoTariff" if self.answer("ClearTariffs", kw) != "Accepted" else "Accepted"
        ids = kw.get("tariff_ids") or [None]
        return result.ClearTariffs(
            clear_tariffs_result=[
                {"tariff_id": tariff_id, "status": status} if tariff_id else {"status": status}
                for tariff_id in ids
            ]
        )

    @on("ChangeTransactionTariff")
    async def on_change_transaction_tariff(self, **kw):
        return result.ChangeTransactionTariff(status=self.answer("ChangeTransactionTariff", kw))

    @on("GetPeriodicEventStream")
    async def on_get_periodic_event_stream(self, **kw):
        self.answer("GetPeriodicEventStream", kw)
        return result.GetPeriodicEventStream(constant_stream_data=self.streams)

    @on("AdjustPeriodicEventStream")
    async def on_adjust_periodic_event_stream(self, **kw):
        return result.AdjustPeriodicEventStream(status=self.answer("AdjustPeriodicEventStream", kw))


@contextlib.asynccontextmanager
async def connected(server, station, *, client=Charger21, **answers):
    """A booted 2.1 charger; `answers` set Charger21's class attributes (refuse, streams...)."""
    attributes = {"requests": [], **answers} if client is Charger21 else {}
    charger_class = type(client.__name__, (client,), attributes)
    async with booted(
        server, station.identity, subprotocol="ocpp2.1", client_class=charger_class
    ) as cp:
        yield cp


async def run_case(case, station):
    return await asyncio.to_thread(case.call, station)


# --- every command: accepted, refused, not implemented, wrong version --------------------------


@pytest.mark.parametrize("case", CASES, ids=ids)
async def test_a_21_station_accepts_each_command(server, station, case):
    async with connected(server, station) as cp:
        outcome = await run_case(case, station)
    assert [action for action, _ in cp.requests] == [case.action]
    assert outcome.command.state == Command.State.ANSWERED
    assert outcome.command.action == case.action
    if case.rejected is not None or case.action == "NotifyWebPaymentStarted":
        assert outcome.status == "Accepted"


@pytest.mark.parametrize("case", WITH_STATUS, ids=ids)
async def test_a_21_station_refusing_a_command_says_so_and_nothing_is_kept(server, station, case):
    async with connected(server, station, refuse=True):
        outcome = await run_case(case, station)
    assert outcome.status == case.rejected
    assert not outcome.accepted if hasattr(outcome, "accepted") else outcome.status != "Accepted"
    assert not DerControl.objects.exists()
    assert not DefaultTariff.objects.exists()


async def test_a_refusal_carries_the_station_s_reason(server, station):
    async with connected(server, station, refuse=True):
        outcome = await in_thread(
            energy_transfer.use_priority_charging, station_id=station.pk, transaction_id="TX-9"
        )
    assert (outcome.status, outcome.reason) == ("NoProfile", "NotFound")


async def test_cleared_tariffs_the_station_did_not_have_stay_uncleared(server, station):
    DefaultTariff.objects.create(
        station=station, evse_id=0, tariff_id="D-2026-01", currency="EUR", tariff=TARIFF
    )
    async with connected(server, station, refuse=True):
        outcome = await in_thread(
            station_tariffs.clear_tariffs, station_id=station.pk, tariff_ids=["D-2026-01"]
        )
    assert outcome.results == [{"tariffId": "D-2026-01", "status": "NoTariff"}]
    assert outcome.cleared == []
    assert DefaultTariff.objects.filter(station=station).exists()


@pytest.mark.parametrize("case", CASES, ids=ids)
async def test_a_station_without_the_handler_answers_a_callerror(server, station, case):
    async with connected(server, station, client=Refusing21):
        outcome = await run_case(case, station)
    assert outcome.command.state == Command.State.CALL_ERROR
    assert outcome.command.error_code == "NotImplemented"
    assert getattr(outcome, "status", "") in ("", None)


@pytest.mark.parametrize("case", CASES, ids=ids)
async def test_a_201_station_is_never_sent_a_21_command(server, station, case):
    async with booted(server, station.identity, subprotocol="ocpp2.0.1"):
        with pytest.raises(CommandInvalid) as refused:
            await run_case(case, station)
    assert refused.value.message == v21_adapter.ONLY_IN_21.format(
        title=case.action, version="2.0.1"
    )
    assert not Command.objects.filter(station=station).exists()


# --- what the answers leave behind ------------------------------------------------------------


async def test_der_controls_set_are_kept_and_cleared_ones_removed(server, station):
    DerControl.objects.create(
        station=station, control_id="vw-0", control_type="VoltWatt", is_default=True, setting=CURVE
    )
    async with connected(server, station, superseded_ids=["vw-0"]) as cp:
        set_result = await in_thread(
            der_control.set_der_control,
            station_id=station.pk,
            control_type="VoltWatt",
            setting=CURVE,
            control_id="vw-1",
        )
        kept = {c.control_id: c.superseded for c in DerControl.objects.filter(station=station)}
        cleared = await in_thread(
            der_control.clear_der_control,
            station_id=station.pk,
            is_default=True,
            control_type="VoltWatt",
        )
    assert cp.requests[0][1]["curve"]["curve_data"][0] == {"x": 230.0, "y": 100.0}
    assert (set_result.status, set_result.superseded_ids) == ("Accepted", ["vw-0"])
    assert kept == {"vw-0": True, "vw-1": False}
    assert cleared.cleared == ["vw-0", "vw-1"]
    assert not DerControl.objects.filter(station=station).exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="stations.der_control")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["stations.der_control.set", "stations.der_control.clear"]


async def test_der_report_pages_are_tied_to_the_get_that_asked(server, station):
    curve = {
        "id": "vw-1",
        "curve_type": "VoltWatt",
        "is_default": True,
        "is_superseded": False,
        "curve": {
            "priority": 1,
            "y_unit": "PctMaxW",
            "curve_data": [{"x": 230.0, "y": 100.0}],
        },
    }
    async with connected(server, station) as cp:
        asked = await in_thread(der_control.get_der_control, station_id=station.pk)
        await cp.call(call.ReportDERControl(request_id=asked.request_id, tbc=True, curve=[curve]))
        await cp.call(
            call.ReportDERControl(
                request_id=asked.request_id,
                gradient=[
                    {
                        "id": "g-1",
                        "gradient": {"priority": 0, "gradient": 1.0, "soft_gradient": 0.5},
                    }
                ],
            )
        )
    assert cp.requests[0][1] == {"request_id": asked.request_id}
    report = DerControlReport.objects.get(station=station, request_id=asked.request_id)
    assert report.command == asked.command
    assert (report.pages, report.complete) == (2, True)
    assert [(c["kind"], c["id"]) for c in report.controls] == [
        ("curve", "vw-1"),
        ("gradient", "g-1"),
    ]


async def test_default_tariffs_are_kept_listed_and_cleared(server, station):
    stale = {**TARIFF, "tariffId": "OLD"}
    DefaultTariff.objects.create(
        station=station,
        evse_id=2,
        tariff_id="OLD",
        currency="EUR",
        tariff=stale,
        valid_from="2025-01-01T00:00:00Z",
    )
    assignments = [{"tariff_id": "D-2026-01", "tariff_kind": "DefaultTariff", "evse_ids": [1, 2]}]
    async with connected(server, station, tariff_assignments=assignments):
        set_result = await in_thread(
            station_tariffs.set_default_tariff, station_id=station.pk, tariff=TARIFF
        )
        kept = list(
            DefaultTariff.objects.filter(station=station).values_list("tariff_id", "evse_id")
        )
        listed = await in_thread(station_tariffs.get_tariffs, station_id=station.pk)
        after_list = list(DefaultTariff.objects.values_list("tariff_id", flat=True))
        cleared = await in_thread(station_tariffs.clear_tariffs, station_id=station.pk)
    assert set_result.accepted
    assert sorted(kept) == [("D-2026-01", 0), ("OLD", 2)]
    assert listed.assignments == [
        {"tariffId": "D-2026-01", "tariffKind": "DefaultTariff", "evseIds": [1, 2]}
    ]
    assert after_list == ["D-2026-01"]  # the station no longer has OLD
    assert cleared.results == [{"status": "Accepted"}]
    assert not DefaultTariff.objects.exists()


async def test_a_tariff_valid_at_once_replaces_the_one_before_it(server, station):
    async with connected(server, station):
        for tariff_id in ("A", "B"):
            await in_thread(
                station_tariffs.set_default_tariff,
                station_id=station.pk,
                tariff={**TARIFF, "tariffId": tariff_id},
                evse_id=1,
            )
    assert list(DefaultTariff.objects.values_list("tariff_id", flat=True)) == ["B"]


async def test_streams_the_station_opens_are_listed_and_adjusted(server, station):
    streams = [{"id": 4, "variable_monitoring_id": 12, "params": {"interval": 30, "values": 5}}]
    async with connected(server, station, streams=streams) as cp:
        for stream_id in (4, 5):
            await cp.call(
                call.OpenPeriodicEventStream(
                    constant_stream_data={
                        "id": stream_id,
                        "variable_monitoring_id": 12,
                        "params": {"interval": 60},
                    }
                )
            )
        adjusted = await in_thread(
            event_streams.adjust_periodic_event_stream, station_id=station.pk, stream_id=4, values=5
        )
        interval_after_adjust = PeriodicEventStream.objects.get(stream_id=4).values
        listed = await in_thread(event_streams.get_periodic_event_streams, station_id=station.pk)
        await cp.call(call.ClosePeriodicEventStream(id=4))
    assert adjusted.accepted
    assert interval_after_adjust == 5
    assert listed.streams == [
        {"id": 4, "variableMonitoringId": 12, "params": {"interval": 30, "values": 5}}
    ]
    rows = {
        s.stream_id: (s.interval, s.values, s.is_open) for s in PeriodicEventStream.objects.all()
    }
    # 5 is not on the station's list: closed; 4 took the station's parameters, then closed.
    assert rows == {4: (30, 5, False), 5: (60, None, False)}
    assert await eventually(
        lambda: AuditEvent.objects.filter(action="stations.event_stream.adjust").exists()
    )
