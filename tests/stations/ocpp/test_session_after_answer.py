"""`OcppSession.after_answer`: follow-up work starts only once the answer has been sent, off the
event loop, and never after a CALLERROR."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from ocpp.routing import on
from ocpp.v16 import call_result

from stations.models import Station
from stations.ocpp.framing import Call
from stations.ocpp.session import StationContext
from stations.ocpp.v16 import ChargePoint16

pytestmark = pytest.mark.asyncio


class FakeConnection:
    def __init__(self, events: list[str]) -> None:
        self.events = events

    async def send(self, text: str) -> None:
        self.events.append("frame")

    async def send_frame(self, text, *, message_type, message_id, action) -> None:
        await asyncio.sleep(0.05)  # a follow-up started too early would run meanwhile
        self.events.append(f"answer:{json.loads(text)[0]}")

    async def close(self, code: int) -> None:
        self.events.append("closed")


class Session(ChargePoint16):
    fail = False

    @on("Heartbeat")
    async def on_heartbeat(self):
        self.after_answer(self.follow_up, label="follow-up")
        if self.fail:
            raise ValueError("our own failure")
        return call_result.Heartbeat(current_time="2026-11-24T12:00:00Z")

    @on("DataTransfer")
    async def on_data_transfer(self, vendor_id, **kw):
        return call_result.DataTransfer(status="Accepted")


def session(events: list[str], *, fail: bool = False) -> Session:
    context = StationContext(
        pk=1, identity="CP-1", registration_status=Station.Registration.ACCEPTED
    )
    made = Session(station=context, connection=FakeConnection(events))
    made.fail = fail
    made.threads = []

    def follow_up(*, label: str) -> None:
        made.threads.append(threading.current_thread())
        events.append(label)

    made.follow_up = follow_up
    return made


async def _settle(made: Session) -> None:
    for _ in range(100):
        if not made._follow_ups:
            return
        await asyncio.sleep(0.01)


async def test_the_follow_up_runs_after_the_answer_in_another_thread():
    events: list[str] = []
    made = session(events)
    await made.handle_call(Call("1", "Heartbeat", {}))
    await _settle(made)
    assert events == ["answer:3", "follow-up"]
    assert made.threads[0] is not threading.current_thread()


async def test_no_follow_up_runs_after_a_callerror_nor_after_the_next_answer():
    events: list[str] = []
    made = session(events, fail=True)
    await made.handle_call(Call("1", "Heartbeat", {}))
    await made.handle_call(Call("2", "DataTransfer", {"vendorId": "acme"}))
    await _settle(made)
    assert events == ["answer:4", "answer:3"]
