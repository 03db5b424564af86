"""The message types OCPP 2.1 adds (Part 4 §4.2.3, §4.2.4) on a 2.1 socket.

SEND (6) NotifyPeriodicEventStream is processed and never answered; a SEND of any other
action, or a malformed one, is logged and dropped; a CALLRESULTERROR (5) is logged and never
answered. Whatever arrives, the socket keeps answering CALLs. On a 2.0.1 socket both types
get MessageTypeNotSupported (test_v2x_bad_input.py).
"""

from __future__ import annotations

import asyncio
import json

import pytest

from stations.models import Connector, MessageLog, StationReport
from tests.factories.stations import StationFactory
from tests.ocpp_client import eventually, exchange, no_reply, raw_socket

pytestmark = pytest.mark.asyncio

V21 = ("ocpp2.1",)
STREAM = "NotifyPeriodicEventStream"
BASETIME = "2026-01-05T10:00:00Z"
STREAM_PAYLOAD = {
    "id": 7,
    "pending": 0,
    "basetime": BASETIME,
    "data": [{"t": 0, "v": "230.4"}, {"t": 5, "v": "230.2"}],
}
STATUS = {"timestamp": BASETIME, "connectorStatus": "Faulted", "evseId": 1, "connectorId": 1}


@pytest.fixture
def charger(transactional_db):
    """An accepted station with an id of its own, so no other test's rows can match."""
    return StationFactory()


async def heartbeat_is_answered(ws) -> bool:
    reply = await exchange(ws, [2, "hb-after", "Heartbeat", {}])
    return reply[:2] == [3, "hb-after"] and "currentTime" in reply[2]


async def logged(identity: str, frame: str, **fields) -> bool:
    return await eventually(
        lambda: MessageLog.objects.filter(
            station_identity=identity, direction="in", frame=frame, **fields
        ).exists()
    )


def reports(station, action: str = STREAM):
    return StationReport.objects.filter(station=station, action=action)


async def send_unanswered(charger, server, frame: str) -> None:
    """Send `frame` on a 2.1 socket: no reply, the socket still answers, the frame logged."""
    async with raw_socket(server, charger.identity, subprotocols=V21) as ws:
        assert ws.subprotocol == "ocpp2.1"
        await ws.send(frame)
        assert await no_reply(ws)
        assert await heartbeat_is_answered(ws)
    assert await logged(charger.identity, frame)


async def test_a_send_of_notify_periodic_event_stream_is_stored_and_never_answered(server, charger):
    frame = json.dumps([6, "s-stream", STREAM, STREAM_PAYLOAD])
    await send_unanswered(charger, server, frame)
    assert await logged(charger.identity, frame, message_type=6, action=STREAM)
    assert await eventually(lambda: reports(charger).exists())
    report = reports(charger).get()
    assert report.request_id == 7
    assert report.payload == {
        "id": 7,
        "pending": 0,
        "basetime": BASETIME,
        "data": STREAM_PAYLOAD["data"],
    }
    assert not MessageLog.objects.filter(
        station_identity=charger.identity, direction="out", message_id="s-stream"
    ).exists()


async def test_sends_are_processed_while_a_call_is_outstanding(server, charger):
    """A SEND may come before the answer to the station's CALL (Part 4 §4.1.1 note)."""
    frames = [
        [2, "c-auth", "Authorize", {"idToken": {"idToken": "TAG-1", "type": "ISO14443"}}],
        *([6, f"s-{n}", STREAM, {**STREAM_PAYLOAD, "id": n}] for n in range(3)),
    ]
    async with raw_socket(server, charger.identity, subprotocols=V21) as ws:
        for frame in frames:
            ws.protocol.send_text(json.dumps(frame).encode())
        ws.transport.write(b"".join(ws.protocol.data_to_send()))
        reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert reply[:2] == [3, "c-auth"]
        assert await no_reply(ws)
        assert await heartbeat_is_answered(ws)
    assert await eventually(lambda: reports(charger).count() == 3)
    assert sorted(reports(charger).values_list("request_id", flat=True)) == [0, 1, 2]


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param([6, "s-hb", "Heartbeat", {}], id="Heartbeat"),
        pytest.param([6, "s-foo", "FooBar", {"x": 1}], id="unknown action"),
        pytest.param([6, "s-status", "StatusNotification", STATUS], id="StatusNotification"),
        pytest.param([6, "s-boot", "BootNotification", {}], id="BootNotification"),
        pytest.param([6, "s-reset", "Reset", {"type": "Immediate"}], id="CSMS-to-station action"),
    ],
)
async def test_a_send_of_another_action_is_dropped_silently(server, charger, frame):
    text = json.dumps(frame)
    await send_unanswered(charger, server, text)
    assert await logged(charger.identity, text, message_type=6, action=frame[2])
    assert not StationReport.objects.filter(station=charger).exists()
    assert not Connector.objects.filter(evse__station=charger).exists()


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({k: v for k, v in STREAM_PAYLOAD.items() if k != "data"}, id="no data"),
        pytest.param({**STREAM_PAYLOAD, "data": []}, id="empty data"),
        pytest.param({**STREAM_PAYLOAD, "id": "7"}, id="id a string"),
        pytest.param({**STREAM_PAYLOAD, "pending": -1}, id="negative pending"),
        pytest.param({**STREAM_PAYLOAD, "basetime": "today"}, id="basetime not a date-time"),
        pytest.param({**STREAM_PAYLOAD, "extra": True}, id="extra property"),
    ],
)
async def test_an_invalid_send_is_dropped_unanswered(server, charger, payload):
    await send_unanswered(charger, server, json.dumps([6, "s-bad", STREAM, payload]))
    assert not reports(charger).exists()


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param(f'[6,"s-three","{STREAM}"]', id="SEND of 3 elements"),
        pytest.param(f'[6,"s-list","{STREAM}",[]]', id="payload an array"),
        pytest.param('[6,"s-action",7,{}]', id="action a number"),
        pytest.param(f'[6,"","{STREAM}",{{}}]', id="message id empty"),
        pytest.param(f'[6,"{"x" * 37}","{STREAM}",{{}}]', id="message id of 37 chars"),
        pytest.param(f'[6,5,"{STREAM}",{{}}]', id="message id a number"),
        pytest.param("[6]", id="message id missing"),
    ],
)
async def test_a_malformed_send_is_dropped_unanswered(server, charger, frame):
    await send_unanswered(charger, server, frame)
    assert not reports(charger).exists()


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param('[5,"r-1","FormatViolation","bad currentTime",{}]', id="CALLRESULTERROR"),
        pytest.param('[5,"r-2","GenericError",""]', id="without details"),
        pytest.param('[5,"r-3",{"code":1}]', id="malformed"),
        pytest.param('[5,"","GenericError","",{}]', id="message id empty"),
        pytest.param("[5]", id="message id missing"),
    ],
)
async def test_a_callresulterror_is_logged_and_never_answered(server, charger, frame):
    await send_unanswered(charger, server, frame)
    assert await logged(charger.identity, frame, message_type=5)


async def test_an_unknown_21_action_gets_not_implemented(server, charger):
    async with raw_socket(server, charger.identity, subprotocols=V21) as ws:
        reply = await exchange(ws, [2, "c-foo", "NotifyFooBar", {}])
        assert reply == [4, "c-foo", "NotImplemented", reply[3], {}]
        assert await heartbeat_is_answered(ws)


async def test_a_send_only_action_sent_as_a_call_gets_not_supported(server, charger):
    """NotifyPeriodicEventStream is a 2.1 action, but only as a SEND: nothing is stored."""
    async with raw_socket(server, charger.identity, subprotocols=V21) as ws:
        reply = await exchange(ws, [2, "c-stream", STREAM, STREAM_PAYLOAD])
        assert reply == [4, "c-stream", "NotSupported", reply[3], {}]
        assert await heartbeat_is_answered(ws)
    assert not reports(charger).exists()


@pytest.mark.parametrize("registration", ["Pending", "Rejected"])
async def test_a_station_not_accepted_has_its_sends_dropped(server, transactional_db, registration):
    """B02.FR.09 / B03.FR.07: only BootNotification is processed; a SEND cannot be answered
    SecurityError, so it is dropped."""
    station = StationFactory(registration_status=registration)
    frame = json.dumps([6, "s-pending", STREAM, STREAM_PAYLOAD])
    async with raw_socket(server, station.identity, subprotocols=V21) as ws:
        await ws.send(frame)
        assert await no_reply(ws)
        reply = await exchange(ws, [2, "c-hb", "Heartbeat", {}])
        assert reply[:3] == [4, "c-hb", "SecurityError"]
    assert await logged(station.identity, frame, message_type=6)
    assert not reports(station).exists()
