"""One station floods the server with DataTransfer CALLs without waiting for the answers,
while a second one sends a Heartbeat every 100 ms; prints what the worker's memory did and
how long the second station waited (issue 13, "No back-pressure").

Against a server that is already running with seeded stations (BENCH-00001 floods,
BENCH-00002 is the neighbour); `--pid` is the worker's (`manage.py serve --workers 1`, its own
pid) for its resident memory. Loopback only, bounded in time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice_bench \\
        .venv/bin/python bench/seed_backoffice.py --stations 2 \\
        --password bench-station-password-0001
    DATABASE_URL=... .venv/bin/python manage.py serve --port 8000 & echo $!
    .venv/bin/python bench/flood.py --url ws://127.0.0.1:8000/ocpp/ --pid <pid>
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import statistics
import time
from pathlib import Path

import websockets
from loadgen import BENCH_PASSWORD, station_identity

MAX_SECONDS = 60
MIB = 1024 * 1024


def resident_mib(pid: int | None) -> float:
    if pid is None:
        return float("nan")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def connect(url: str, number: int) -> websockets.connect:
    identity = station_identity(number)
    token = base64.b64encode(f"{identity}:{BENCH_PASSWORD}".encode()).decode()
    return websockets.connect(
        url + identity,
        subprotocols=["ocpp1.6"],
        additional_headers={"Authorization": f"Basic {token}"},
        open_timeout=30,
        max_size=None,
    )


def data_transfer(message_id: str, size: int) -> str:
    frame = [2, message_id, "DataTransfer", {"vendorId": "bench", "data": ""}]
    frame[3]["data"] = "x" * max(size - len(json.dumps(frame)), 0)
    return json.dumps(frame)


class Flood:
    def __init__(self, ws: websockets.ClientConnection, size: int) -> None:
        self.ws, self.size = ws, size
        self.sent = 0
        self.answered = 0
        self.close_code: int | None = None

    async def send(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError, websockets.ConnectionClosed):
            async with asyncio.timeout(seconds):
                while True:
                    self.sent += 1
                    await self.ws.send(data_transfer(f"f-{self.sent}", self.size))
                    if self.sent % 10 == 0:
                        await asyncio.sleep(0)

    async def read(self) -> None:
        try:
            async for _ in self.ws:
                self.answered += 1
        except websockets.ConnectionClosed:
            pass
        if self.ws.protocol.close_rcvd is not None:
            self.close_code = self.ws.protocol.close_rcvd.code


async def heartbeats(ws: websockets.ClientConnection, until: asyncio.Event) -> list[float]:
    """Round trips of one Heartbeat at a time; a timeout counts as 10 s."""
    latencies: list[float] = []
    while not until.is_set():
        started = time.monotonic()
        await ws.send(json.dumps([2, f"h-{len(latencies)}", "Heartbeat", {}]))
        try:
            await asyncio.wait_for(ws.recv(), 10)
        except TimeoutError:
            latencies.append(10.0)
            continue
        latencies.append(time.monotonic() - started)
        await asyncio.sleep(0.1)
    return latencies


async def peak_rss(pid: int | None, until: asyncio.Event) -> float:
    peak = resident_mib(pid)
    while not until.is_set():
        peak = max(peak, resident_mib(pid))
        await asyncio.sleep(0.05)
    return peak


async def run(args: argparse.Namespace) -> None:
    async with connect(args.url, 1) as ws, connect(args.url, 2) as neighbour:
        flood = Flood(ws, args.frame_bytes)
        reader = asyncio.create_task(flood.read())
        baseline = resident_mib(args.pid)
        done = asyncio.Event()
        neighbour_task = asyncio.create_task(heartbeats(neighbour, done))
        rss_task = asyncio.create_task(peak_rss(args.pid, done))
        await flood.send(args.seconds)
        sent, answered = flood.sent, flood.answered
        deadline = time.monotonic() + args.drain
        while flood.answered < flood.sent and time.monotonic() < deadline and not reader.done():
            await asyncio.sleep(0.1)
        done.set()
        latencies, peak = await neighbour_task, await rss_task
        drained = flood.answered
    await reader
    await asyncio.sleep(3)
    after = resident_mib(args.pid)
    print(
        f"flood: {sent} frames of {args.frame_bytes} bytes sent in {args.seconds:.0f} s "
        f"({sent * args.frame_bytes / MIB:.0f} MiB), {answered} answered meanwhile, "
        f"{drained} within {args.drain:.0f} s more; closed by the server: {flood.close_code}"
    )
    print(
        f"worker RSS: {baseline:.0f} MiB before, {peak:.0f} MiB at most, "
        f"{after:.0f} MiB 3 s after the station left"
    )
    print(
        f"neighbour: {len(latencies)} Heartbeats, median {statistics.median(latencies) * 1000:.0f}"
        f" ms, max {max(latencies) * 1000:.0f} ms, {sum(x >= 10 for x in latencies)} timed out"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="ws://127.0.0.1:<port>/ocpp/")
    parser.add_argument("--pid", type=int, default=None, help="the serving worker's pid")
    parser.add_argument("--seconds", type=float, default=4.0, help="how long to flood")
    parser.add_argument("--drain", type=float, default=20.0, help="how long to wait for answers")
    parser.add_argument("--frame-bytes", type=int, default=30_000)
    args = parser.parse_args()
    if args.seconds + args.drain > MAX_SECONDS:
        parser.error(f"--seconds plus --drain at most {MAX_SECONDS}")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
