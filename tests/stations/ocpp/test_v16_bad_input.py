"""PROTOCOL.md's bad-input table, 1.6J column, over a real socket.

Each bad frame gets the exact CALLERROR of the table (or, where the table says so, no reply
or a close), is kept in the message log, and leaves the socket usable: a Heartbeat sent right
after is still answered.
"""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from stations.models import MessageLog, Station, Transaction
from stations.services.charging import transactions
from tests.factories.stations import StationFactory
from tests.ocpp_client import eventually, exchange, no_reply, raw_socket
from tests.server import LiveOcppServer

pytestmark = pytest.mark.asyncio

FORMATION = "FormationViolation"
ID_37 = "x" * 37
ID_36 = "y" * 36


@pytest.fixture
def charger(transactional_db):
    """An accepted station with an id of its own, so no other test's log rows can match."""
    return StationFactory()


async def heartbeat_is_answered(ws: websockets.ClientConnection) -> bool:
    reply = await exchange(ws, [2, "hb-after", "Heartbeat", {}])
    return reply[:2] == [3, "hb-after"] and "currentTime" in reply[2]


async def logged(identity: str, frame: str, direction: str = "in") -> bool:
    return await eventually(
        lambda: MessageLog.objects.filter(
            station_identity=identity, direction=direction, frame=frame
        ).exists()
    )


def assert_call_error(reply: list, message_id: str, code: str, details: dict) -> None:
    assert len(reply) == 5, reply
    assert reply[0] == 4
    assert reply[1] == message_id
    assert reply[2] == code
    assert isinstance(reply[3], str)
    assert len(reply[3]) <= 255
    assert reply[4] == details


async def send_bad_frame(
    server: LiveOcppServer, charger: Station, frame: str, message_id: str, code: str, details: dict
) -> list:
    """Send `frame`, expect exactly that CALLERROR, a usable socket, and both frames logged."""
    async with raw_socket(server, charger.identity) as ws:
        await ws.send(frame)
        answer = await ws.recv()
        reply = json.loads(answer)
        assert_call_error(reply, message_id, code, details)
        assert await heartbeat_is_answered(ws)
    assert await logged(charger.identity, frame)
    assert await logged(charger.identity, answer, direction="out")
    return reply


FRAMING_ERRORS = [
    pytest.param("this is not json", "-1", id="not JSON"),
    pytest.param('[2,"m-trunc","Heartbeat",{}', "-1", id="truncated JSON"),
    pytest.param('[2,"m-nan","Heartbeat",{"x":NaN}]', "-1", id="NaN is not JSON"),
    pytest.param('{"messageTypeId":2}', "-1", id="an object, not an array"),
    pytest.param('"Heartbeat"', "-1", id="a string, not an array"),
    pytest.param("[]", "-1", id="empty array"),
    pytest.param('["2","m-str","Heartbeat",{}]', "m-str", id="messageTypeId a string"),
    pytest.param('[true,"m-bool","Heartbeat",{}]', "m-bool", id="messageTypeId true"),
    pytest.param('[2.0,"m-float","Heartbeat",{}]', "m-float", id="messageTypeId a float"),
    pytest.param('[9,"m-nine","Heartbeat",{}]', "m-nine", id="unknown messageTypeId 9"),
    pytest.param("[2]", "-1", id="message id missing"),
    pytest.param('[2,"","Heartbeat",{}]', "-1", id="message id empty"),
    pytest.param(f'[2,"{ID_37}","Heartbeat",{{}}]', "-1", id="message id of 37 chars"),
    pytest.param('[2,12345,"Heartbeat",{}]', "-1", id="message id a number"),
    pytest.param('[2,null,"Heartbeat",{}]', "-1", id="message id null"),
    pytest.param('[2,"m-three","Heartbeat"]', "m-three", id="CALL of 3 elements"),
    pytest.param('[2,"m-five","Heartbeat",{},{}]', "m-five", id="CALL of 5 elements"),
    pytest.param('[2,"m-action",7,{}]', "m-action", id="action a number"),
    pytest.param('[2,"m-no-action","",{}]', "m-no-action", id="action empty"),
]


@pytest.mark.parametrize(("frame", "message_id"), FRAMING_ERRORS)
async def test_a_malformed_frame_gets_formation_violation(server, charger, frame, message_id):
    await send_bad_frame(server, charger, frame, message_id, FORMATION, {})


async def test_a_formation_violation_never_echoes_the_invalid_frame(server, charger):
    frame = '[2,"m-echo","Heartbeat",{"secret": <not json>}]'
    reply = await send_bad_frame(server, charger, frame, "-1", FORMATION, {})
    assert "<not json>" not in json.dumps(reply)


async def test_a_binary_frame_gets_formation_violation_with_id_minus_one(server, charger):
    frame = json.dumps([2, "m-binary", "Heartbeat", {}]).encode()
    async with raw_socket(server, charger.identity) as ws:
        await ws.send(frame)
        reply = json.loads(await ws.recv())
        assert_call_error(reply, "-1", FORMATION, {})
        assert await heartbeat_is_answered(ws)
    assert await logged(charger.identity, repr(frame))


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param('[5,"m-five",{"status":"Accepted"}]', id="CALLRESULTERROR (5)"),
        pytest.param('[6,"m-six","Heartbeat",{}]', id="SEND (6)"),
    ],
)
async def test_ocpp21_message_types_are_ignored_and_logged(server, charger, frame):
    async with raw_socket(server, charger.identity) as ws:
        await ws.send(frame)
        assert await no_reply(ws)
        assert await heartbeat_is_answered(ws)
    assert await logged(charger.identity, frame)


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param('[3,"never-sent",{"status":"Accepted"}]', id="CALLRESULT"),
        pytest.param('[4,"never-sent","GenericError","",{}]', id="CALLERROR"),
        pytest.param('[3,"never-sent"]', id="malformed CALLRESULT"),
        pytest.param('[4,"never-sent",5]', id="malformed CALLERROR"),
    ],
)
async def test_a_response_to_a_call_we_never_sent_is_dropped_and_logged(server, charger, frame):
    async with raw_socket(server, charger.identity) as ws:
        await ws.send(frame)
        assert await no_reply(ws)
        assert await heartbeat_is_answered(ws)
    assert await logged(charger.identity, frame)


async def test_a_message_id_of_36_chars_is_accepted(server, charger):
    async with raw_socket(server, charger.identity) as ws:
        reply = await exchange(ws, [2, ID_36, "Heartbeat", {}])
    assert reply[:2] == [3, ID_36]


@pytest.mark.parametrize(
    ("action", "code"),
    [
        pytest.param("FooBar", "NotImplemented", id="unknown action"),
        pytest.param("heartbeat", "NotImplemented", id="action in the wrong case"),
        pytest.param("TransactionEvent", "NotImplemented", id="2.0.1-only action"),
        pytest.param("NotifyReport", "NotImplemented", id="another 2.0.1-only action"),
        pytest.param("Reset", "NotSupported", id="Reset, a CSMS-to-charger action"),
        pytest.param("RemoteStartTransaction", "NotSupported", id="RemoteStartTransaction"),
        pytest.param("GetConfiguration", "NotSupported", id="GetConfiguration"),
    ],
)
async def test_an_action_we_do_not_handle_gets_not_implemented_or_not_supported(
    server, charger, action, code
):
    frame = json.dumps([2, "m-action", action, {}])
    await send_bad_frame(server, charger, frame, "m-action", code, {})


TIMESTAMP = "2024-05-01T10:00:00Z"
STATUS = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
START = {"connectorId": 1, "idTag": "TAG-1", "meterStart": 0, "timestamp": TIMESTAMP}

SCHEMA_ERRORS = [
    pytest.param("Authorize", {}, "ProtocolError", "idTag", id="missing idTag"),
    pytest.param(
        "StatusNotification",
        {"connectorId": 1, "status": "Available"},
        "ProtocolError",
        "errorCode",
        id="missing errorCode",
    ),
    pytest.param(
        "StartTransaction",
        {k: v for k, v in START.items() if k != "meterStart"},
        "ProtocolError",
        "meterStart",
        id="StartTransaction missing meterStart",
    ),
    pytest.param("Authorize", {"idTag": 5}, "TypeConstraintViolation", "idTag", id="idTag int"),
    pytest.param(
        "StatusNotification",
        {**STATUS, "connectorId": "1"},
        "TypeConstraintViolation",
        "connectorId",
        id="connectorId a string",
    ),
    pytest.param(
        "StartTransaction",
        {**START, "meterStart": 1.5},
        "TypeConstraintViolation",
        "meterStart",
        id="meterStart a float",
    ),
    pytest.param(
        "Authorize", {"idTag": "T" * 21}, "TypeConstraintViolation", "idTag", id="idTag 21 chars"
    ),
    pytest.param(
        "StatusNotification",
        {**STATUS, "status": "Broken"},
        "PropertyConstraintViolation",
        "status",
        id="status out of enum",
    ),
    pytest.param(
        "StatusNotification",
        {**STATUS, "errorCode": "Smoke"},
        "PropertyConstraintViolation",
        "errorCode",
        id="errorCode out of enum",
    ),
    pytest.param(
        "StatusNotification",
        {**STATUS, "timestamp": "yesterday"},
        "PropertyConstraintViolation",
        "timestamp",
        id="timestamp not a date-time",
    ),
    pytest.param(
        "StartTransaction",
        {**START, "timestamp": "2024-02-30T10:00:00Z"},
        "PropertyConstraintViolation",
        "timestamp",
        id="timestamp of a day that does not exist",
    ),
    pytest.param("Heartbeat", {"uptime": 5}, "FormationViolation", "payload", id="extra property"),
    pytest.param(
        "Authorize",
        {"idTag": "TAG-1", "idToken": "TAG-1"},
        "FormationViolation",
        "payload",
        id="extra property next to a valid one",
    ),
    pytest.param(
        "StatusNotification",
        {**STATUS, "connectorId": -1},
        "PropertyConstraintViolation",
        "connectorId",
        id="negative connectorId",
    ),
    pytest.param(
        "StartTransaction",
        {**START, "connectorId": -1},
        "PropertyConstraintViolation",
        "connectorId",
        id="negative connectorId on a transaction message",
    ),
    pytest.param(
        "StartTransaction",
        {**START, "reservationId": 2**31},
        "PropertyConstraintViolation",
        "reservationId",
        id="reservationId past 32 bits",
    ),
    pytest.param(
        "MeterValues",
        {"connectorId": 1, "meterValue": []},
        "OccurenceConstraintViolation",
        "meterValue",
        id="empty meterValue list",
    ),
]


@pytest.mark.parametrize(("action", "payload", "code", "field"), SCHEMA_ERRORS)
async def test_a_schema_violation_gets_the_mapped_call_error(
    server, charger, action, payload, code, field
):
    frame = json.dumps([2, "m-schema", action, payload])
    await send_bad_frame(server, charger, frame, "m-schema", code, {"field": field})


async def test_an_id_tag_of_20_chars_passes_the_schema(server, charger):
    async with raw_socket(server, charger.identity) as ws:
        reply = await exchange(ws, [2, "m-20", "Authorize", {"idTag": "T" * 20}])
    assert reply[:2] == [3, "m-20"]
    assert reply[2]["idTagInfo"]["status"] == "Invalid"


@pytest.mark.parametrize("registration", ["Pending", "Rejected"])
async def test_a_station_not_accepted_may_only_boot(server, transactional_db, registration):
    station = StationFactory(registration_status=registration)
    heartbeat = json.dumps([2, "m-hb", "Heartbeat", {}])
    async with raw_socket(server, station.identity) as ws:
        reply = await exchange(ws, heartbeat)
        assert_call_error(reply, "m-hb", "SecurityError", {})
        boot = await exchange(
            ws,
            [2, "m-boot", "BootNotification", {"chargePointVendor": "A", "chargePointModel": "B"}],
        )
        assert boot[:2] == [3, "m-boot"]
        assert boot[2]["status"] == registration
        authorize = await exchange(ws, [2, "m-auth", "Authorize", {"idTag": "TAG-1"}])
        assert_call_error(authorize, "m-auth", "SecurityError", {})
    assert await logged(station.identity, heartbeat)


async def test_a_frame_of_exactly_64_kib_is_answered(server, charger):
    envelope = json.dumps([2, "m-limit", "DataTransfer", {"vendorId": "ACME", "data": ""}])
    frame = envelope.replace('"data": ""', '"data": "' + "x" * (65536 - len(envelope)) + '"')
    assert len(frame.encode()) == 65536
    async with raw_socket(server, charger.identity) as ws:
        reply = await exchange(ws, frame)
    assert reply[:2] == [3, "m-limit"]


async def test_a_naive_timestamp_on_start_transaction_is_accepted(server, charger, id_token):
    payload = {**START, "idTag": id_token.id_token, "timestamp": "2024-05-01T10:00:00"}
    async with raw_socket(server, charger.identity) as ws:
        reply = await exchange(ws, [2, "m-naive", "StartTransaction", payload])
    assert reply[:2] == [3, "m-naive"]
    assert reply[2]["idTagInfo"]["status"] == "Accepted"
    transaction = Transaction.objects.get(station=charger)
    assert str(reply[2]["transactionId"]) == transaction.transaction_id
    assert transaction.started_at.isoformat() == "2024-05-01T10:00:00+00:00"
    assert transaction.anomalies == [transactions.NAIVE_TIMESTAMP]


def write_in_one_segment(ws: websockets.ClientConnection, frames: list[list]) -> None:
    """Send several frames with a single write, so the server reads them as one burst."""
    for frame in frames:
        ws.protocol.send_text(json.dumps(frame).encode())
    ws.transport.write(b"".join(ws.protocol.data_to_send()))


async def test_a_call_reusing_the_id_of_a_call_in_flight_gets_protocol_error(server, charger):
    # The three CALLs ahead each need a database round trip before "dup" is even started, and
    # the consumer reads the whole burst without one: the second "dup" always finds the first
    # one in flight.
    ahead = [[2, f"ahead-{n}", "Authorize", {"idTag": f"TAG-{n}"}] for n in range(3)]
    duplicate = [2, "dup", "Authorize", {"idTag": "TAG-DUP"}]
    async with raw_socket(server, charger.identity) as ws:
        write_in_one_segment(ws, [*ahead, duplicate, duplicate])
        replies = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(5)]
        assert await heartbeat_is_answered(ws)
    errors = [reply for reply in replies if reply[0] == 4]
    results = sorted(reply[1] for reply in replies if reply[0] == 3)
    assert len(errors) == 1
    assert_call_error(errors[0], "dup", "ProtocolError", {})
    assert results == ["ahead-0", "ahead-1", "ahead-2", "dup"]
    assert await eventually(
        lambda: (
            MessageLog.objects.filter(
                station_identity=charger.identity, direction="in", message_id="dup"
            ).count()
            == 2
        )
    )


async def test_a_message_id_can_be_reused_once_its_call_was_answered(server, charger):
    async with raw_socket(server, charger.identity) as ws:
        first = await exchange(ws, [2, "again", "Authorize", {"idTag": "TAG-1"}])
        second = await exchange(ws, [2, "again", "Authorize", {"idTag": "TAG-1"}])
    assert first[:2] == [3, "again"]
    assert second[:2] == [3, "again"]
