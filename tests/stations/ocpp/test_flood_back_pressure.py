"""Back-pressure (issue 13): a station that sends CALLs without waiting for the answers is read
only as fast as it is served. The server stops reading its socket while more than
OCPP_MAX_QUEUED_FRAMES frames or OCPP_MAX_QUEUED_BYTES bytes wait, or while the station does
not read our answers, so TCP keeps the rest on the station's side: the worker does not grow
with the flood, another station is answered at once meanwhile, and every frame the flooder got
in is answered, in order, and logged. Where the server cannot stop reading, the consumer
closes the socket with 1008 once twice the limits wait."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import websockets
from ocpp.v16 import call

from stations.models import MessageLog, SecurityEvent, StationConnection
from stations.services.security import security_events
from tests.factories.stations import STATION_PASSWORD, StationFactory
from tests.ocpp_client import basic_auth, booted, eventually, raw_socket
from tests.server import LiveOcppServer, start_server

pytestmark = pytest.mark.asyncio

FRAME_BYTES = 30_000
FLOOD_SECONDS = 3.0
MIB = 1024 * 1024
# What the worker may grow by while one station floods it: a bounded queue (at most
# OCPP_MAX_QUEUED_BYTES of frames, 256 KiB) plus what serving at full speed allocates
# (message-log batches, DataTransfer rows). Measured: 9 MiB; without back-pressure 190+ MiB.
RSS_GROWTH_BOUND = 40 * MIB


def own_server(**overrides: str):
    """A server of its own: its memory and its log are the test's alone."""
    from django.conf import settings
    from django.db import connection

    return start_server(
        database_name=connection.settings_dict["NAME"],
        channel_prefix=f"{settings.CHANNEL_PREFIX}-flood",
        **overrides,
    )


@pytest.fixture(scope="module")
def flood_server(django_db_setup, django_db_blocker):
    server = own_server()
    yield server
    server.stop()


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def data_transfer(message_id: str, size: int = FRAME_BYTES) -> str:
    """A 1.6 DataTransfer CALL of `size` bytes."""
    frame = [2, message_id, "DataTransfer", {"vendorId": "ACME", "data": ""}]
    frame[3]["data"] = "x" * (size - len(json.dumps(frame)))
    return json.dumps(frame)


def small_data_transfer(message_id: str) -> str:
    """500 bytes: one socket read (64 KiB) holds a hundred of them."""
    return data_transfer(message_id, 500)


# A 500-byte text frame from a client: 2 bytes of header, 2 of length, 4 of mask.
SMALL_FRAME_WIRE_BYTES = 508


def heartbeat(message_id: str) -> str:
    return json.dumps([2, message_id, "Heartbeat", {}])


class Flooder:
    """Sends DataTransfer CALLs as fast as the socket takes them, reading answers meanwhile."""

    def __init__(self, ws: websockets.ClientConnection, frame: Callable[[str], str]) -> None:
        self.ws = ws
        self.frame = frame
        self.sent: list[str] = []
        self.answered: list[str] = []

    async def send_one(self) -> None:
        message_id = f"f-{len(self.sent)}"
        # Recorded first: a send cut short by the flood's end has written its frame already
        # and was waiting for the socket to take it.
        self.sent.append(message_id)
        await self.ws.send(self.frame(message_id))

    async def flood(self, seconds: float) -> None:
        """Send for `seconds`, also while the socket takes nothing."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    for _ in range(10):
                        await self.send_one()
                    await asyncio.sleep(0)  # send() returns at once while the kernel takes them

    async def read_answers(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for text in self.ws:
                frame = json.loads(text)
                assert frame[0] == 3, frame
                self.answered.append(frame[1])

    def all_answered(self) -> bool:
        return len(self.answered) == len(self.sent)


async def heartbeats(cp, until: asyncio.Event) -> list[float]:
    """A well-behaved station: one Heartbeat at a time, every 100 ms; their round trips."""
    latencies = []
    while not until.is_set():
        started = time.monotonic()
        await cp.call(call.Heartbeat())
        latencies.append(time.monotonic() - started)
        await asyncio.sleep(0.1)
    return latencies


async def peak_rss(pid: int, until: asyncio.Event) -> int:
    peak = 0
    while not until.is_set():
        peak = max(peak, resident_bytes(pid))
        await asyncio.sleep(0.05)
    return max(peak, resident_bytes(pid))


def logged_ids(identity: str, direction: str) -> list[str]:
    rows = MessageLog.objects.filter(station_identity=identity, direction=direction)
    return list(rows.order_by("pk").values_list("message_id", flat=True))


async def test_a_flooding_station_waits_while_others_are_served(flood_server, transactional_db):
    flooding, neighbour = StationFactory(), StationFactory()
    pid = flood_server.process.pid
    async with (
        raw_socket(flood_server, flooding.identity) as ws,
        booted(flood_server, neighbour.identity) as cp,
    ):
        flooder = Flooder(ws, data_transfer)
        reader = asyncio.create_task(flooder.read_answers())
        # Warm up: the same messages one at a time, so the baseline holds what serving them needs.
        for _ in range(20):
            await flooder.send_one()
            assert await eventually(flooder.all_answered, timeout=5)
            await cp.call(call.Heartbeat())
        baseline = resident_bytes(pid)

        done = asyncio.Event()
        neighbour_task = asyncio.create_task(heartbeats(cp, done))
        rss_task = asyncio.create_task(peak_rss(pid, done))
        await flooder.flood(FLOOD_SECONDS)
        # Every frame the station got in is answered: the backlog waited in its own socket.
        assert await eventually(flooder.all_answered, timeout=10)
        done.set()
        latencies, peak = await neighbour_task, await rss_task
        reader.cancel()
        print(  # noqa: T201 - the figures, for `pytest -rP`
            f"flood: {len(flooder.sent)} frames of {FRAME_BYTES} bytes in {FLOOD_SECONDS} s; "
            f"worker RSS {baseline / MIB:.0f} MiB before, {peak / MIB:.0f} MiB at most; "
            f"{len(latencies)} neighbour Heartbeats, median "
            f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
        assert flooder.answered == flooder.sent  # in order
        assert peak - baseline < RSS_GROWTH_BOUND, f"grew by {(peak - baseline) / MIB:.0f} MiB"
        # Throttled, not closed: still connected, and the operators are told why it waited.
        assert StationConnection.objects.filter(station=flooding).exists()
        assert "websocket.reading_paused" in flood_server.log_text()
        assert SecurityEvent.objects.filter(
            station=flooding, type=security_events.TOO_MANY_WAITING_FRAMES
        ).exists()
        # Answered at once meanwhile (without back-pressure its calls timed out after 10 s).
        assert statistics.median(latencies) < 0.25
        assert max(latencies) < 2.0

    # The frames the server took in, and its answers, are in the message log in order.
    assert await eventually(lambda: logged_ids(flooding.identity, "out") == flooder.sent)
    assert logged_ids(flooding.identity, "in") == flooder.sent


def queued_in_kernel(server_port: int, client_port: int) -> int:
    """Bytes of this connection the kernel holds from client to server: sent by the client and
    not yet acknowledged (its send queue), plus received and not yet read by the server."""
    queued = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            ends = (int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16))
            send_queue, receive_queue = (int(n, 16) for n in fields[4].split(":"))
            if ends == (client_port, server_port):
                queued += send_queue
            elif ends == (server_port, client_port):
                queued += receive_queue
    return queued


async def test_small_frames_wait_in_the_kernel_not_in_the_worker(flood_server, transactional_db):
    """One socket read holds a hundred 500-byte frames: they are parsed only as the ones before
    them are answered, so the flood waits in the socket, unread, whatever its length."""
    station = StationFactory()
    pid = flood_server.process.pid
    async with raw_socket(flood_server, station.identity) as ws:
        flooder = Flooder(ws, small_data_transfer)
        reader = asyncio.create_task(flooder.read_answers())
        for _ in range(20):
            await flooder.send_one()
        assert await eventually(flooder.all_answered, timeout=5)
        baseline = resident_bytes(pid)
        done = asyncio.Event()
        rss_task = asyncio.create_task(peak_rss(pid, done))
        await flooder.flood(FLOOD_SECONDS)
        in_kernel = queued_in_kernel(flood_server.port, ws.local_address[1])
        unanswered = (len(flooder.sent) - len(flooder.answered)) * SMALL_FRAME_WIRE_BYTES
        done.set()
        peak = await rss_task
        ws.transport.abort()
        await reader
    # Megabytes sent faster than served: all of it but the frames waiting to be answered (at
    # most OCPP_MAX_QUEUED_BYTES) and one socket read (64 KiB) is still in the kernel. Read on
    # at once after each pause, the server had taken it all into its own buffer.
    assert unanswered > MIB, unanswered
    assert in_kernel > unanswered - 512 * 1024, (in_kernel, unanswered)
    assert peak - baseline < 8 * MIB, f"grew by {(peak - baseline) / MIB:.0f} MiB"
    assert flooder.answered == flooder.sent[: len(flooder.answered)]  # in order


# Run by the server process at start (PYTHONPATH): 4 KiB send buffers per socket, the kernel's
# and Twisted's (64 KiB), so that unread answers fill them in a second, not after 4 MiB.
SMALL_SEND_BUFFER = """
import socket
import twisted.internet.tcp as tcp

accepted = tcp.Server.__init__

def with_small_send_buffer(self, sock, *args, **kwargs):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    accepted(self, sock, *args, **kwargs)
    self.bufferSize = 4096

tcp.Server.__init__ = with_small_send_buffer
"""


async def test_a_station_that_does_not_read_its_answers_is_not_read(
    django_db_setup, django_db_blocker, transactional_db, tmp_path
):
    """Answers it leaves unread fill the server's write buffer: the server stops reading its
    CALLs then, instead of queueing answers without end."""
    (tmp_path / "sitecustomize.py").write_text(SMALL_SEND_BUFFER)
    server = own_server(PYTHONPATH=str(tmp_path))
    station = StationFactory()

    def answered() -> int:
        return MessageLog.objects.filter(station_identity=station.identity, direction="out").count()

    try:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", server.port))
        async with websockets.connect(
            server.ws_url(station.identity),
            sock=sock,
            subprotocols=["ocpp1.6"],
            additional_headers=basic_auth(station.identity, STATION_PASSWORD),
            open_timeout=10,
        ) as ws:
            ws.transport.pause_reading()  # never reads an answer
            flooder = Flooder(ws, heartbeat)
            flooding = asyncio.create_task(flooder.flood(30))
            assert await eventually(lambda: answered() > 50, timeout=10)
            counts = [answered()]
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and (len(counts) < 4 or counts[-1] != counts[-4]):
                await asyncio.sleep(0.5)
                counts.append(answered())
            # Served at first, then not at all once the answers could not be written (not
            # read, when the station kept sending: unbounded, they went to the server's memory).
            assert counts[-1] == counts[-4], counts
            assert not flooding.done()
            flooding.cancel()
            ws.transport.abort()
    finally:
        server.stop()


# Run by the server process at start (PYTHONPATH): its inbound_flow patch installs nothing.
WITHOUT_INBOUND_FLOW = """
import importlib.abc, importlib.machinery, sys

class WithoutInboundFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "backoffice.daphne_patches.inbound_flow":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        exec_module = spec.loader.exec_module
        def exec_without_install(module):
            exec_module(module)
            module.install = lambda: None
        spec.loader.exec_module = exec_without_install
        return spec

sys.meta_path.insert(0, WithoutInboundFlow())
"""


async def test_where_the_server_cannot_pause_a_flood_is_closed_with_1008(
    django_db_setup, django_db_blocker, transactional_db, tmp_path
):
    """A server whose inbound_flow patch is gone (another ASGI server, a daphne upgrade that
    moved what it wraps): the consumer's own cap closes the flood at twice the limits."""
    (tmp_path / "sitecustomize.py").write_text(WITHOUT_INBOUND_FLOW)
    server: LiveOcppServer = own_server(PYTHONPATH=str(tmp_path))
    try:
        station = StationFactory()
        async with raw_socket(server, station.identity) as ws:
            flooder = Flooder(ws, data_transfer)
            reader = asyncio.create_task(flooder.read_answers())
            with contextlib.suppress(websockets.ConnectionClosed):
                await flooder.flood(10)
            await asyncio.wait_for(reader, 15)
            # Closed (the 1008 close frame may be lost: the server drops the connection when
            # the station does not answer it within a second, behind its own flood)...
            assert ws.state is websockets.protocol.State.CLOSED
        # ...by the consumer's cap, which says so where operators look.
        note = "(refused: DataTransfer"
        assert await eventually(
            lambda: SecurityEvent.objects.filter(
                station=station,
                type=security_events.TOO_MANY_WAITING_FRAMES,
                tech_info__startswith=note,
            ).exists()
        )
        # The message log is written in batches, so its note may land after the event.
        assert await eventually(
            lambda: MessageLog.objects.filter(
                station_identity=station.identity, direction="in", frame__startswith=note
            ).exists()
        )
        # What was answered before the close was answered in order.
        assert flooder.answered == flooder.sent[: len(flooder.answered)]
    finally:
        server.stop()
