"""PROTOCOL.md's bad-input table for a value of every JSON type in every place of a CALL, on
every OCPP version, over a real socket.

The frame's own parts (the whole frame, messageTypeId, messageId, action) of the wrong type make
a malformed frame: the version's framing error. A payload or a field of the wrong type sits in
a well-formed frame: TypeConstraintViolation, as the schema's type says (a payload that is not
an object breaks the root `"type": "object"` of every request schema).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import websockets

from stations.models import MessageLog
from tests.factories.stations import StationFactory
from tests.ocpp_client import eventually, exchange, raw_socket

pytestmark = pytest.mark.asyncio

TYPE = "TypeConstraintViolation"
FRAMING = {"ocpp1.6": "FormationViolation", "ocpp2.0.1": "RpcFrameworkError"}
FRAMING["ocpp2.1"] = FRAMING["ocpp2.0.1"]
VALUES: dict[str, Any] = {
    "string": "x",
    "integer": 2,
    "number": 2.5,
    "object": {"a": 1},
    "array": [1],
    "null": None,
    "true": True,
    "false": False,
}


@pytest.fixture(params=["ocpp1.6", "ocpp2.0.1", "ocpp2.1"], ids=["1.6", "2.0.1", "2.1"])
def subprotocol(request) -> str:
    return request.param


@pytest.fixture(params=list(VALUES))
def json_type(request) -> str:
    return request.param


@pytest.fixture
def charger(transactional_db):
    return StationFactory()


def authorize(subprotocol: str, token: Any) -> dict[str, Any]:
    if subprotocol == "ocpp1.6":
        return {"idTag": token}
    return {"idToken": {"idToken": token, "type": "ISO14443"}}


def token_field(subprotocol: str) -> str:
    return "idTag" if subprotocol == "ocpp1.6" else "idToken.idToken"


async def answer(ws: websockets.ClientConnection, frame: Any) -> list:
    return await exchange(ws, json.dumps(frame))


def assert_error(reply: list, message_id: str, code: str, details: dict) -> None:
    assert reply == [4, message_id, code, reply[3], details], reply
    assert isinstance(reply[3], str)
    assert 0 < len(reply[3]) <= 255


async def test_a_value_of_each_json_type_in_each_place_of_a_call(
    server, charger, subprotocol, json_type
):
    value = VALUES[json_type]
    framing = FRAMING[subprotocol]
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        # The whole frame: only an array is an OCPP-J frame (and an empty one is not a message).
        whole = value if json_type != "array" else []
        assert_error(await answer(ws, whole), "-1", framing, {})

        # messageTypeId: only the integer 2 makes this frame a CALL.
        reply = await answer(ws, [value, "m-type", "Heartbeat", {}])
        if json_type == "integer":
            assert reply[:2] == [3, "m-type"]
        else:
            assert_error(reply, "m-type", framing, {})

        # messageId: only a string is one; the error cannot name it, so it carries "-1".
        reply = await answer(ws, [2, value, "Heartbeat", {}])
        if json_type == "string":
            assert reply[:2] == [3, value]
        else:
            assert_error(reply, "-1", framing, {})

        # action: only a string names one.
        reply = await answer(ws, [2, "m-action", value, {}])
        if json_type == "string":
            assert_error(reply, "m-action", "NotImplemented", {})
        else:
            assert_error(reply, "m-action", framing, {})

        # The payload: a well-formed frame, so a payload error, never a framing one.
        payload = value if json_type != "object" else {}
        reply = await answer(ws, [2, "m-payload", "Heartbeat", payload])
        if json_type == "object":
            assert reply[:2] == [3, "m-payload"]
        else:
            assert_error(reply, "m-payload", TYPE, {"field": "payload"})

        # A field: the token is a string.
        reply = await answer(ws, [2, "m-field", "Authorize", authorize(subprotocol, value)])
        if json_type == "string":
            assert reply[:2] == [3, "m-field"]
        else:
            assert_error(reply, "m-field", TYPE, {"field": token_field(subprotocol)})

        # Nothing of it broke the socket.
        assert (await answer(ws, [2, "hb-after", "Heartbeat", {}]))[:2] == [3, "hb-after"]

    bad_payload = json.dumps([2, "m-payload", "Heartbeat", payload])
    assert await eventually(
        lambda: MessageLog.objects.filter(
            station_identity=charger.identity, direction="in", frame=bad_payload
        ).exists()
    )


async def test_a_payload_error_on_a_transaction_message_keeps_the_socket(server, charger):
    """StartTransaction with a string payload: answered, not our failure (no close)."""
    async with raw_socket(server, charger.identity) as ws:
        reply = await answer(ws, [2, "m-start", "StartTransaction", "connectorId=1"])
        assert_error(reply, "m-start", TYPE, {"field": "payload"})
        assert (await answer(ws, [2, "hb-after", "Heartbeat", {}]))[:2] == [3, "hb-after"]
