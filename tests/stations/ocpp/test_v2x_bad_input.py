"""PROTOCOL.md's bad-input table, 2.0.1 / 2.1 column, over a real socket.

Each bad frame gets the exact CALLERROR of the table (or, where the table says so, no reply
or a close), is kept in the message log, and leaves the socket usable: a Heartbeat sent right
after is still answered. Where 2.0.1 and 2.1 give the same answer the test runs on both
subprotocols; the 2.1 message types (SEND, CALLRESULTERROR) are in test_v21_frames.py.
"""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from stations.models import MessageLog, Station, TransactionEvent
from tests.factories.stations import StationFactory
from tests.ocpp_client import eventually, exchange, no_reply, raw_socket
from tests.server import LiveOcppServer

pytestmark = pytest.mark.asyncio

V201, V21 = "ocpp2.0.1", "ocpp2.1"
SUBPROTOCOLS = [pytest.param(V201, id="2.0.1"), pytest.param(V21, id="2.1")]
RPC = "RpcFrameworkError"
ID_37 = "x" * 37
ID_36 = "y" * 36
# OCPP 2.0.1 / 2.1 Part 4, "RPC Framework Error Codes": the only codes a 2.x CALLERROR may carry.
V2X_CODES = {
    "FormatViolation",
    "GenericError",
    "InternalError",
    "MessageTypeNotSupported",
    "NotImplemented",
    "NotSupported",
    "OccurrenceConstraintViolation",
    "PropertyConstraintViolation",
    "ProtocolError",
    "RpcFrameworkError",
    "SecurityError",
    "TypeConstraintViolation",
}

TIMESTAMP = "2026-01-05T10:00:00Z"
BOOT = {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}
STATUS = {"timestamp": TIMESTAMP, "connectorStatus": "Available", "evseId": 1, "connectorId": 1}
ID_TOKEN = {"idToken": "TAG-1", "type": "ISO14443"}
EVENT = {
    "eventType": "Started",
    "timestamp": TIMESTAMP,
    "triggerReason": "Authorized",
    "seqNo": 0,
    "transactionInfo": {"transactionId": "TX-BAD-1"},
}
METER = {"evseId": 1, "meterValue": [{"timestamp": TIMESTAMP, "sampledValue": [{"value": 1.0}]}]}


@pytest.fixture(params=SUBPROTOCOLS)
def subprotocol(request) -> str:
    return request.param


@pytest.fixture
def charger(transactional_db):
    """An accepted station with an id of its own, so no other test's log rows can match."""
    return StationFactory()


async def heartbeat_is_answered(ws: websockets.ClientConnection) -> bool:
    reply = await exchange(ws, [2, "hb-after", "Heartbeat", {}])
    return reply[:2] == [3, "hb-after"] and "currentTime" in reply[2]


async def logged(identity: str, frame: str, direction: str = "in", **fields) -> bool:
    return await eventually(
        lambda: MessageLog.objects.filter(
            station_identity=identity, direction=direction, frame=frame, **fields
        ).exists()
    )


def assert_call_error(reply: list, message_id: str, code: str, details: dict) -> None:
    assert len(reply) == 5, reply
    assert reply[0] == 4
    assert reply[1] == message_id
    assert reply[2] == code
    assert code in V2X_CODES
    assert isinstance(reply[3], str)
    assert len(reply[3]) <= 255
    assert reply[4] == details


async def send_bad_frame(
    server: LiveOcppServer,
    charger: Station,
    subprotocol: str,
    frame: str,
    message_id: str,
    code: str,
    details: dict,
) -> list:
    """Send `frame`, expect exactly that CALLERROR, a usable socket, and both frames logged."""
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        assert ws.subprotocol == subprotocol
        await ws.send(frame)
        answer = await asyncio.wait_for(ws.recv(), 10)
        reply = json.loads(answer)
        assert_call_error(reply, message_id, code, details)
        assert await heartbeat_is_answered(ws)
    assert await logged(charger.identity, frame)
    assert await logged(charger.identity, answer, direction="out", message_type=4)
    return reply


FRAMING_ERRORS = [
    pytest.param("this is not json", "-1", id="not JSON"),
    pytest.param('[2,"m-trunc","Heartbeat",{}', "-1", id="truncated JSON"),
    pytest.param('[2,"m-nan","Heartbeat",{"x":NaN}]', "-1", id="NaN is not JSON"),
    pytest.param('[2,"m-inf","Heartbeat",{"x":-Infinity}]', "-1", id="Infinity is not JSON"),
    pytest.param('{"messageTypeId":2}', "-1", id="an object, not an array"),
    pytest.param('"Heartbeat"', "-1", id="a string, not an array"),
    pytest.param("null", "-1", id="null"),
    pytest.param("[]", "-1", id="empty array"),
    pytest.param('["2","m-str","Heartbeat",{}]', "m-str", id="messageTypeId a string"),
    pytest.param('[true,"m-bool","Heartbeat",{}]', "m-bool", id="messageTypeId true"),
    pytest.param('[2.0,"m-float","Heartbeat",{}]', "m-float", id="messageTypeId a float"),
    pytest.param('[null,"m-null-type","Heartbeat",{}]', "m-null-type", id="messageTypeId null"),
    pytest.param("[2]", "-1", id="message id missing"),
    pytest.param('[2,"","Heartbeat",{}]', "-1", id="message id empty"),
    pytest.param(f'[2,"{ID_37}","Heartbeat",{{}}]', "-1", id="message id of 37 chars"),
    pytest.param('[2,12345,"Heartbeat",{}]', "-1", id="message id a number"),
    pytest.param('[2,null,"Heartbeat",{}]', "-1", id="message id null"),
    pytest.param('[2,"m-three","Heartbeat"]', "m-three", id="CALL of 3 elements"),
    pytest.param('[2,"m-five","Heartbeat",{},{}]', "m-five", id="CALL of 5 elements"),
    pytest.param('[2,"m-action",7,{}]', "m-action", id="action a number"),
    pytest.param('[2,"m-no-action","",{}]', "m-no-action", id="action empty"),
    pytest.param('[2,"m-null-action",null,{}]', "m-null-action", id="action null"),
]


@pytest.mark.parametrize(("frame", "message_id"), FRAMING_ERRORS)
async def test_a_malformed_frame_gets_rpc_framework_error(
    server, charger, subprotocol, frame, message_id
):
    await send_bad_frame(server, charger, subprotocol, frame, message_id, RPC, {})


async def test_an_rpc_framework_error_never_echoes_the_invalid_frame(server, charger, subprotocol):
    frame = '[2,"m-echo","Heartbeat",{"secret": <not json>}]'
    reply = await send_bad_frame(server, charger, subprotocol, frame, "-1", RPC, {})
    assert "<not json>" not in json.dumps(reply)


async def test_a_binary_frame_gets_rpc_framework_error_with_id_minus_one(
    server, charger, subprotocol
):
    frame = json.dumps([2, "m-binary", "Heartbeat", {}]).encode()
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        await ws.send(frame)
        reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert_call_error(reply, "-1", RPC, {})
        assert await heartbeat_is_answered(ws)
    assert await logged(charger.identity, repr(frame))


@pytest.mark.parametrize(
    ("frame", "message_id"),
    [
        pytest.param('[9,"m-nine","Heartbeat",{}]', "m-nine", id="messageTypeId 9"),
        pytest.param('[0,"m-zero",{}]', "m-zero", id="messageTypeId 0"),
        pytest.param('[1,"m-one"]', "m-one", id="messageTypeId 1"),
        pytest.param('[-2,"m-minus","Heartbeat",{}]', "m-minus", id="messageTypeId -2"),
        pytest.param("[7]", "-1", id="messageTypeId 7 without an id"),
        pytest.param('[8,12345,"Heartbeat",{}]', "-1", id="messageTypeId 8, id unreadable"),
    ],
)
async def test_an_unknown_message_type_gets_message_type_not_supported(
    server, charger, subprotocol, frame, message_id
):
    await send_bad_frame(
        server, charger, subprotocol, frame, message_id, "MessageTypeNotSupported", {}
    )


@pytest.mark.parametrize(
    ("frame", "message_id"),
    [
        pytest.param('[5,"m-five","GenericError","",{}]', "m-five", id="CALLRESULTERROR (5)"),
        pytest.param('[6,"m-six","Heartbeat",{}]', "m-six", id="SEND (6)"),
        pytest.param(
            '[6,"m-stream","NotifyPeriodicEventStream",{}]', "m-stream", id="SEND of a 2.1 action"
        ),
    ],
)
async def test_ocpp21_message_types_on_201_get_message_type_not_supported(
    server, charger, frame, message_id
):
    await send_bad_frame(server, charger, V201, frame, message_id, "MessageTypeNotSupported", {})


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param('[3,"never-sent",{"status":"Accepted"}]', id="CALLRESULT"),
        pytest.param('[4,"never-sent","GenericError","",{}]', id="CALLERROR"),
        pytest.param('[3,"never-sent"]', id="malformed CALLRESULT"),
        pytest.param('[4,"never-sent",5]', id="malformed CALLERROR"),
    ],
)
async def test_a_response_to_a_call_we_never_sent_is_dropped_and_logged(
    server, charger, subprotocol, frame
):
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        await ws.send(frame)
        assert await no_reply(ws)
        assert await heartbeat_is_answered(ws)
    assert await logged(charger.identity, frame)


async def test_a_message_id_of_36_chars_is_accepted(server, charger, subprotocol):
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        reply = await exchange(ws, [2, ID_36, "Heartbeat", {}])
    assert reply[:2] == [3, ID_36]


# Actions a station may not send, and the answer on either 2.x socket.
ACTIONS_NOT_HANDLED = [
    pytest.param("FooBar", "NotImplemented", id="unknown action"),
    pytest.param("heartbeat", "NotImplemented", id="action in the wrong case"),
    pytest.param("HeartbeatRequest", "NotImplemented", id="action with the Request suffix"),
    pytest.param("StartTransaction", "NotImplemented", id="1.6 StartTransaction"),
    pytest.param("StopTransaction", "NotImplemented", id="1.6 StopTransaction"),
    pytest.param("DiagnosticsStatusNotification", "NotImplemented", id="1.6-only notification"),
    pytest.param("RemoteStartTransaction", "NotImplemented", id="1.6 RemoteStartTransaction"),
    pytest.param("Reset", "NotSupported", id="Reset, a CSMS-to-station action"),
    pytest.param("RequestStartTransaction", "NotSupported", id="RequestStartTransaction"),
    pytest.param("GetVariables", "NotSupported", id="GetVariables"),
    pytest.param("SetChargingProfile", "NotSupported", id="SetChargingProfile"),
]


@pytest.mark.parametrize(("action", "code"), ACTIONS_NOT_HANDLED)
async def test_an_action_we_do_not_handle_gets_not_implemented_or_not_supported(
    server, charger, subprotocol, action, code
):
    frame = json.dumps([2, "m-action", action, {}])
    await send_bad_frame(server, charger, subprotocol, frame, "m-action", code, {})


# 2.1-only actions a station sends: unknown on a 2.0.1 socket (2.1 handles them).
STATION_ACTIONS_21 = ["NotifyDERAlarm", "BatterySwap", "NotifySettlement", "VatNumberValidation"]
# 2.1-only actions the CSMS sends: unknown on 2.0.1, known but not for a station to send on 2.1.
CSMS_ACTIONS_21 = ["SetDERControl", "RequestBatterySwap", "AFRRSignal", "SetDefaultTariff"]


@pytest.mark.parametrize("action", [*STATION_ACTIONS_21, *CSMS_ACTIONS_21])
async def test_a_21_only_action_on_201_gets_not_implemented(server, charger, action):
    frame = json.dumps([2, "m-21", action, {}])
    await send_bad_frame(server, charger, V201, frame, "m-21", "NotImplemented", {})


@pytest.mark.parametrize("action", CSMS_ACTIONS_21)
async def test_a_21_csms_action_on_21_gets_not_supported(server, charger, action):
    frame = json.dumps([2, "m-21", action, {}])
    await send_bad_frame(server, charger, V21, frame, "m-21", "NotSupported", {})


async def test_a_21_send_only_action_as_a_call_on_201_gets_not_implemented(server, charger):
    payload = {"id": 1, "pending": 0, "basetime": TIMESTAMP, "data": [{"t": 0, "v": "1"}]}
    frame = json.dumps([2, "m-stream", "NotifyPeriodicEventStream", payload])
    await send_bad_frame(server, charger, V201, frame, "m-stream", "NotImplemented", {})


@pytest.mark.parametrize(
    ("subprotocol", "foreign"),
    [
        pytest.param(V201, ("NotifyDERAlarm", "NotImplemented"), id="2.0.1, a 2.1-only action"),
        pytest.param(V21, ("SetDERControl", "NotSupported"), id="2.1, a CSMS-to-station action"),
    ],
)
async def test_the_socket_keeps_serving_after_actions_of_other_versions(
    server, charger, subprotocol, foreign
):
    """The issue's scenario: a 1.6 action, then another version's one, then normal traffic."""
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        start16 = {"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": TIMESTAMP}
        reply = await exchange(ws, [2, "m-16", "StartTransaction", start16])
        assert_call_error(reply, "m-16", "NotImplemented", {})
        action, code = foreign
        reply = await exchange(ws, [2, "m-other", action, {}])
        assert_call_error(reply, "m-other", code, {})
        boot = await exchange(ws, [2, "m-boot", "BootNotification", BOOT])
        assert boot[:2] == [3, "m-boot"]
        assert boot[2]["status"] == "Accepted"
        status = await exchange(ws, [2, "m-status", "StatusNotification", STATUS])
        assert status == [3, "m-status", {}]
        assert await heartbeat_is_answered(ws)


def without(payload: dict, key: str) -> dict:
    return {k: v for k, v in payload.items() if k != key}


SCHEMA_ERRORS = [
    # Missing required field: OccurrenceConstraintViolation (our documented pick).
    pytest.param("Authorize", {}, "OccurrenceConstraintViolation", "idToken", id="no idToken"),
    pytest.param(
        "Authorize",
        {"idToken": {"idToken": "TAG-1"}},
        "OccurrenceConstraintViolation",
        "idToken.type",
        id="idToken without type",
    ),
    pytest.param(
        "BootNotification",
        {**BOOT, "chargingStation": {"model": "M"}},
        "OccurrenceConstraintViolation",
        "chargingStation.vendorName",
        id="chargingStation without vendorName",
    ),
    pytest.param(
        "BootNotification",
        without(BOOT, "reason"),
        "OccurrenceConstraintViolation",
        "reason",
        id="Boot without reason",
    ),
    pytest.param(
        "StatusNotification",
        without(STATUS, "connectorStatus"),
        "OccurrenceConstraintViolation",
        "connectorStatus",
        id="no connectorStatus",
    ),
    pytest.param(
        "TransactionEvent",
        without(EVENT, "seqNo"),
        "OccurrenceConstraintViolation",
        "seqNo",
        id="TransactionEvent without seqNo",
    ),
    pytest.param(
        "TransactionEvent",
        {**EVENT, "transactionInfo": {}},
        "OccurrenceConstraintViolation",
        "transactionInfo.transactionId",
        id="TransactionEvent without transactionId",
    ),
    # Cardinality.
    pytest.param(
        "MeterValues",
        {"evseId": 1, "meterValue": []},
        "OccurrenceConstraintViolation",
        "meterValue",
        id="empty meterValue list",
    ),
    # Wrong JSON type, or too long.
    pytest.param(
        "Authorize",
        {"idToken": {"idToken": 5, "type": "ISO14443"}},
        "TypeConstraintViolation",
        "idToken.idToken",
        id="idToken an int",
    ),
    pytest.param(
        "Authorize", {"idToken": "TAG-1"}, "TypeConstraintViolation", "idToken", id="idToken a str"
    ),
    pytest.param(
        "StatusNotification",
        {**STATUS, "evseId": "1"},
        "TypeConstraintViolation",
        "evseId",
        id="evseId a string",
    ),
    pytest.param(
        "TransactionEvent",
        {**EVENT, "seqNo": 1.5},
        "TypeConstraintViolation",
        "seqNo",
        id="seqNo a float",
    ),
    pytest.param(
        "TransactionEvent",
        {**EVENT, "offline": "yes"},
        "TypeConstraintViolation",
        "offline",
        id="offline a string",
    ),
    pytest.param(
        "BootNotification",
        {**BOOT, "chargingStation": {"model": "M" * 21, "vendorName": "V"}},
        "TypeConstraintViolation",
        "chargingStation.model",
        id="model of 21 chars",
    ),
    # Enum, format and range.
    pytest.param(
        "StatusNotification",
        {**STATUS, "connectorStatus": "Broken"},
        "PropertyConstraintViolation",
        "connectorStatus",
        id="connectorStatus out of enum",
    ),
    pytest.param(
        "BootNotification",
        {**BOOT, "reason": "Bored"},
        "PropertyConstraintViolation",
        "reason",
        id="reason out of enum",
    ),
    pytest.param(
        "TransactionEvent",
        {**EVENT, "eventType": "Paused"},
        "PropertyConstraintViolation",
        "eventType",
        id="eventType out of enum",
    ),
    pytest.param(
        "StatusNotification",
        {**STATUS, "timestamp": "yesterday"},
        "PropertyConstraintViolation",
        "timestamp",
        id="timestamp not a date-time",
    ),
    pytest.param(
        "TransactionEvent",
        {**EVENT, "timestamp": "2026-02-30T10:00:00Z"},
        "PropertyConstraintViolation",
        "timestamp",
        id="timestamp of a day that does not exist",
    ),
    pytest.param(
        "StatusNotification",
        {**STATUS, "evseId": -1},
        "PropertyConstraintViolation",
        "evseId",
        id="negative evseId",
    ),
    pytest.param(
        "TransactionEvent",
        {**EVENT, "seqNo": 2**31},
        "PropertyConstraintViolation",
        "seqNo",
        id="seqNo past 32 bits",
    ),
    pytest.param(
        "TransactionEvent",
        {**EVENT, "evse": {"id": -1}},
        "PropertyConstraintViolation",
        "evse.id",
        id="negative evse id on a transaction message",
    ),
    # Unknown extra property.
    pytest.param("Heartbeat", {"uptime": 5}, "FormatViolation", "payload", id="extra property"),
    pytest.param(
        "Authorize",
        {"idToken": ID_TOKEN, "idTag": "TAG-1"},
        "FormatViolation",
        "payload",
        id="1.6 idTag next to a valid idToken",
    ),
    pytest.param(
        "BootNotification",
        {**BOOT, "chargingStation": {"model": "M", "vendorName": "V", "colour": "red"}},
        "FormatViolation",
        "chargingStation",
        id="nested extra property",
    ),
]


@pytest.mark.parametrize(("action", "payload", "code", "field"), SCHEMA_ERRORS)
async def test_a_schema_violation_gets_the_mapped_call_error(
    server, charger, subprotocol, action, payload, code, field
):
    frame = json.dumps([2, "m-schema", action, payload])
    await send_bad_frame(server, charger, subprotocol, frame, "m-schema", code, {"field": field})


@pytest.mark.parametrize(
    ("subprotocol", "payload", "answer"),
    [
        pytest.param(V201, {"idToken": "T" * 37, "type": "ISO14443"}, "field", id="2.0.1 37 chars"),
        pytest.param(V201, {"idToken": "T", "type": "Magic"}, "enum", id="2.0.1 type not in enum"),
        pytest.param(V21, {"idToken": "T" * 256, "type": "ISO14443"}, "field", id="2.1 256 chars"),
        pytest.param(V21, {"idToken": "T", "type": "M" * 21}, "field", id="2.1 type of 21 chars"),
    ],
)
async def test_an_id_token_breaking_its_version_schema_is_refused(
    server, charger, subprotocol, payload, answer
):
    frame = json.dumps([2, "m-token", "Authorize", {"idToken": payload}])
    code = "TypeConstraintViolation" if answer == "field" else "PropertyConstraintViolation"
    field = "idToken.idToken" if len(payload["idToken"]) > 1 else "idToken.type"
    await send_bad_frame(server, charger, subprotocol, frame, "m-token", code, {"field": field})


@pytest.mark.parametrize(
    ("subprotocol", "payload"),
    [
        pytest.param(V201, {"idToken": "T" * 36, "type": "ISO14443"}, id="2.0.1 36 chars"),
        pytest.param(V21, {"idToken": "T" * 255, "type": "ISO14443"}, id="2.1 255 chars"),
        pytest.param(V21, {"idToken": "T", "type": "VendorSpecific"}, id="2.1 free-form type"),
    ],
)
async def test_an_id_token_at_its_version_limit_is_answered(server, charger, subprotocol, payload):
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        reply = await exchange(ws, [2, "m-limit", "Authorize", {"idToken": payload}])
    assert reply[:2] == [3, "m-limit"]
    # An unknown token is business data, not bad input: a normal answer refusing it.
    assert reply[2]["idTokenInfo"]["status"] != "Accepted"


async def test_a_negative_seq_no_is_refused_by_21_and_taken_by_201(server, charger):
    """2.1 bounds seqNo at 0; 2.0.1 does not, so there it is odd business data, acknowledged."""
    event = {**EVENT, "seqNo": -1}
    async with raw_socket(server, charger.identity, subprotocols=(V21,)) as ws:
        reply = await exchange(ws, [2, "m-neg", "TransactionEvent", event])
        assert_call_error(reply, "m-neg", "PropertyConstraintViolation", {"field": "seqNo"})
        assert await heartbeat_is_answered(ws)
    async with raw_socket(server, charger.identity, subprotocols=(V201,)) as ws:
        reply = await exchange(ws, [2, "m-neg", "TransactionEvent", event])
    assert reply[:2] == [3, "m-neg"]


async def test_a_refused_transaction_event_stores_nothing(server, charger, subprotocol):
    frame = json.dumps([2, "m-tx", "TransactionEvent", {**EVENT, "eventType": "Paused"}])
    await send_bad_frame(
        server,
        charger,
        subprotocol,
        frame,
        "m-tx",
        "PropertyConstraintViolation",
        {"field": "eventType"},
    )
    assert not TransactionEvent.objects.filter(transaction__station=charger).exists()


@pytest.mark.parametrize("registration", ["Pending", "Rejected"])
async def test_a_station_not_accepted_may_only_boot(
    server, transactional_db, subprotocol, registration
):
    station = StationFactory(registration_status=registration)
    heartbeat = json.dumps([2, "m-hb", "Heartbeat", {}])
    async with raw_socket(server, station.identity, subprotocols=(subprotocol,)) as ws:
        reply = await exchange(ws, heartbeat)
        assert_call_error(reply, "m-hb", "SecurityError", {})
        boot = await exchange(ws, [2, "m-boot", "BootNotification", BOOT])
        assert boot[:2] == [3, "m-boot"]
        assert boot[2]["status"] == registration
        for message_id, action, payload in [
            ("m-auth", "Authorize", {"idToken": ID_TOKEN}),
            ("m-status", "StatusNotification", STATUS),
            ("m-tx", "TransactionEvent", EVENT),
            ("m-meter", "MeterValues", METER),
            ("m-data", "DataTransfer", {"vendorId": "ACME"}),
        ]:
            reply = await exchange(ws, [2, message_id, action, payload])
            assert_call_error(reply, message_id, "SecurityError", {})
        # The station may boot again, and is still held to BootNotification after that.
        again = await exchange(ws, [2, "m-boot-2", "BootNotification", BOOT])
        assert again[:2] == [3, "m-boot-2"]
        reply = await exchange(ws, [2, "m-hb-2", "Heartbeat", {}])
        assert_call_error(reply, "m-hb-2", "SecurityError", {})
    assert await logged(station.identity, heartbeat)
    assert not TransactionEvent.objects.filter(transaction__station=station).exists()


@pytest.mark.parametrize("registration", ["Pending", "Rejected"])
async def test_bad_input_from_a_station_not_accepted_gets_its_own_answer(
    server, transactional_db, subprotocol, registration
):
    """Framing and unknown actions are checked before the registration state."""
    station = StationFactory(registration_status=registration)
    async with raw_socket(server, station.identity, subprotocols=(subprotocol,)) as ws:
        assert_call_error(await exchange(ws, "not json"), "-1", RPC, {})
        assert_call_error(
            await exchange(ws, [2, "m-foo", "FooBar", {}]), "m-foo", "NotImplemented", {}
        )
        boot = await exchange(ws, [2, "m-boot", "BootNotification", {**BOOT, "reason": "Bored"}])
        assert_call_error(boot, "m-boot", "PropertyConstraintViolation", {"field": "reason"})


def write_in_one_segment(ws: websockets.ClientConnection, frames: list[list]) -> None:
    """Send several frames with a single write, so the server reads them as one burst."""
    for frame in frames:
        ws.protocol.send_text(json.dumps(frame).encode())
    ws.transport.write(b"".join(ws.protocol.data_to_send()))


async def test_a_call_reusing_the_id_of_a_call_in_flight_gets_rpc_framework_error(
    server, charger, subprotocol
):
    # The three CALLs ahead each need a database round trip before "dup" is even started, and
    # the consumer reads the whole burst without one: the second "dup" always finds the first
    # one in flight.
    ahead = [
        [2, f"ahead-{n}", "Authorize", {"idToken": {**ID_TOKEN, "idToken": f"TAG-{n}"}}]
        for n in range(3)
    ]
    duplicate = [2, "dup", "Authorize", {"idToken": ID_TOKEN}]
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        write_in_one_segment(ws, [*ahead, duplicate, duplicate])
        replies = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(5)]
        assert await heartbeat_is_answered(ws)
    errors = [reply for reply in replies if reply[0] == 4]
    results = sorted(reply[1] for reply in replies if reply[0] == 3)
    assert len(errors) == 1
    assert_call_error(errors[0], "dup", RPC, {})
    assert results == ["ahead-0", "ahead-1", "ahead-2", "dup"]
    assert await eventually(
        lambda: (
            MessageLog.objects.filter(
                station_identity=charger.identity, direction="in", message_id="dup"
            ).count()
            == 2
        )
    )


async def test_a_message_id_can_be_reused_once_its_call_was_answered(server, charger, subprotocol):
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        first = await exchange(ws, [2, "again", "Authorize", {"idToken": ID_TOKEN}])
        second = await exchange(ws, [2, "again", "Authorize", {"idToken": ID_TOKEN}])
    assert first[:2] == [3, "again"]
    assert second[:2] == [3, "again"]


async def test_every_bad_frame_in_a_row_is_answered_on_one_socket(server, charger, subprotocol):
    """Many CALLERRORs in a row never wear the socket out."""
    frames = [
        ("not json", "-1", RPC),
        ('[9,"r-nine",{}]', "r-nine", "MessageTypeNotSupported"),
        ('[2,"r-foo","FooBar",{}]', "r-foo", "NotImplemented"),
        ('[2,"r-reset","Reset",{"type":"Immediate"}]', "r-reset", "NotSupported"),
        ('[2,"r-auth","Authorize",{}]', "r-auth", "OccurrenceConstraintViolation"),
        ('[2,"r-hb","Heartbeat",{"x":1}]', "r-hb", "FormatViolation"),
    ]
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        for frame, message_id, code in frames:
            reply = await exchange(ws, frame)
            assert reply[:3] == [4, message_id, code]
            assert await heartbeat_is_answered(ws)
