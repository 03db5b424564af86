"""PROTOCOL.md: a frame over OCPP_MAX_FRAME_BYTES (64 KiB in tests), whatever its size, closes
the socket with 1009 (a close frame, not a dropped connection) without being read whole, on
every OCPP version; the attempt is kept in the message log and the security events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
import time
from collections.abc import Awaitable
from pathlib import Path

import pytest
import websockets

from stations.models import MessageLog, SecurityEvent, StationConnection
from stations.services.security import security_events
from tests.factories.stations import StationFactory
from tests.ocpp_client import eventually, raw_socket

pytestmark = pytest.mark.asyncio

LIMIT = 65536
KIB, MIB = 1024, 1024 * 1024
SUBPROTOCOLS = [
    pytest.param("ocpp1.6", id="1.6"),
    pytest.param("ocpp2.0.1", id="2.0.1"),
    pytest.param("ocpp2.1", id="2.1"),
]


@pytest.fixture(params=SUBPROTOCOLS)
def subprotocol(request) -> str:
    return request.param


@pytest.fixture
def charger(transactional_db):
    return StationFactory()


def data_transfer(size: int) -> str:
    """A DataTransfer CALL of exactly `size` bytes."""
    envelope = json.dumps([2, "m-big", "DataTransfer", {"vendorId": "ACME", "data": ""}])
    return envelope.replace('"data": ""', '"data": "' + "x" * (size - len(envelope)) + '"')


async def close_code_received(ws: websockets.ClientConnection, sending: Awaitable[None]) -> int:
    """The code of the close frame the server sent while (or after) `sending` ran."""
    with contextlib.suppress(websockets.ConnectionClosed):
        await sending
    with contextlib.suppress(websockets.ConnectionClosed):
        await asyncio.wait_for(ws.recv(), 15)
    await asyncio.wait_for(ws.wait_closed(), 15)
    # None would mean the server dropped the connection without a close frame (1006).
    assert ws.protocol.close_rcvd is not None
    return ws.protocol.close_rcvd.code


async def refusal_recorded(charger, size: int) -> None:
    note = f"(refused unread: a message of {size} bytes, over the limit of {LIMIT}"
    assert await eventually(
        lambda: MessageLog.objects.filter(
            station_identity=charger.identity, direction="in", frame__startswith=note
        ).exists()
    )
    assert await eventually(
        lambda: SecurityEvent.objects.filter(
            station=charger,
            type=security_events.FRAME_TOO_BIG,
            raised_by_backoffice=True,
            tech_info__startswith=note,
        ).exists()
    )
    # The consumer saw the close through: the station is no longer listed as connected.
    assert await eventually(lambda: not StationConnection.objects.filter(station=charger).exists())


@pytest.mark.parametrize(
    "size",
    [
        pytest.param(LIMIT + 1, id="64KiB+1"),
        pytest.param(65 * KIB, id="65KiB"),
        pytest.param(300 * KIB, id="300KiB"),
        pytest.param(2 * MIB, id="2MiB"),
        pytest.param(20 * MIB, id="20MiB"),
    ],
)
async def test_a_frame_over_the_limit_is_closed_with_1009(server, charger, subprotocol, size):
    frame = data_transfer(size)
    assert len(frame.encode()) == size
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        assert await close_code_received(ws, ws.send(frame)) == 1009
    await refusal_recorded(charger, size)


async def test_a_fragmented_message_over_the_limit_is_closed_with_1009(
    server, charger, subprotocol
):
    """Continuation frames each under the limit: refused at the one that crosses it."""
    frame = data_transfer(LIMIT + 30 * KIB)
    fragments = [frame[start : start + 16 * KIB] for start in range(0, len(frame), 16 * KIB)]
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        assert await close_code_received(ws, ws.send(fragments)) == 1009
    # The fifth fragment takes the message from 64 KiB to 80 KiB.
    await refusal_recorded(charger, 5 * 16 * KIB)


async def test_a_fragmented_message_up_to_the_limit_is_answered(server, charger, subprotocol):
    frame = data_transfer(LIMIT)
    fragments = [frame[start : start + 16 * KIB] for start in range(0, len(frame), 16 * KIB)]
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        await ws.send(fragments)
        reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert reply[:2] == [3, "m-big"]


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


async def test_a_64_mib_frame_is_refused_from_its_header(server, charger, subprotocol):
    """The header announces 64 MiB, the payload trickles in: the server closes with 1009
    long before the station could have sent it, and never holds the frame."""
    announced = 64 * MIB
    rss_before = resident_bytes(server.process.pid)
    async with raw_socket(server, charger.identity, subprotocols=(subprotocol,)) as ws:
        # FIN + text opcode, masked, 64-bit length, a zero mask (the payload reads as sent).
        ws.transport.write(b"\x81\xff" + struct.pack("!Q", announced) + b"\0\0\0\0")
        sent, chunk = 0, b"x" * (64 * KIB)
        deadline = time.monotonic() + 10
        while ws.protocol.close_rcvd is None and time.monotonic() < deadline:
            ws.transport.write(chunk)
            sent += len(chunk)
            await asyncio.sleep(0.02)
        assert await close_code_received(ws, asyncio.sleep(0)) == 1009
    assert sent < 4 * MIB
    await refusal_recorded(charger, announced)
    assert resident_bytes(server.process.pid) - rss_before < 16 * MIB
