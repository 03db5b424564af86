"""Maximum throughput: N stations each send one action back to back (one CALL outstanding
per station, as OCPP-J allows) for a fixed time, against a server that is already running.

Where bench/run.py offers the realistic flow (the one the issue is judged on), this finds the
ceiling of one message path alone, without the boot and start bursts: the figure to watch
while profiling that path. Loopback only, bounded in count and time.

    # back office: seed the stations once, serve, then saturate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice_bench \\
        .venv/bin/python bench/seed_backoffice.py --stations 100 \\
        --password bench-station-password-0001
    DATABASE_URL=... .venv/bin/python manage.py serve --port 8000 &
    .venv/bin/python bench/saturate.py --url ws://127.0.0.1:8000/ocpp/ --action MeterValues
    # the bare ocpp server (no database) for the ratio
    .venv/bin/python bench/bare_server.py --port 9016 &
    .venv/bin/python bench/saturate.py --url ws://127.0.0.1:9016/ocpp/ --action MeterValues
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import time
from urllib.parse import urlsplit

import websockets
from limits import raise_open_file_limit
from loadgen import BENCH_PASSWORD, station_identity
from websockets.typing import Subprotocol

MAX_STATIONS = 2000
MAX_SECONDS = 120
_SAMPLE = {"measurand": "Energy.Active.Import.Register", "unit": "Wh", "context": "Sample.Periodic"}


def frame(action: str, n: int) -> str:
    if action == "Heartbeat":
        payload: dict = {}
    else:
        second, micro = divmod(n, 1_000_000)
        stamp = f"2026-01-01T00:{(second // 60) % 60:02d}:{second % 60:02d}.{micro:06d}Z"
        payload = {
            "connectorId": 1,
            "meterValue": [
                {"timestamp": stamp, "sampledValue": [{**_SAMPLE, "value": str(n)}] * 8}
            ],
        }
    return json.dumps([2, str(n), action, payload])


async def station(url: str, number: int, action: str, until: float, latencies: list) -> int:
    identity = station_identity(number)
    token = base64.b64encode(f"{identity}:{BENCH_PASSWORD}".encode()).decode()
    async with websockets.connect(
        url + identity,
        subprotocols=[Subprotocol("ocpp1.6")],
        additional_headers={"Authorization": f"Basic {token}"},
        open_timeout=30,
    ) as ws:
        boot = {"chargePointVendor": "bench", "chargePointModel": "saturate"}
        await ws.send(json.dumps([2, "boot", "BootNotification", boot]))
        await ws.recv()
        sent = 0
        while time.monotonic() < until:
            sent += 1
            started = time.perf_counter()
            await ws.send(frame(action, number * 1_000_000 + sent))
            await ws.recv()
            latencies.append(time.perf_counter() - started)
        return sent


async def saturate(url: str, stations: int, action: str, seconds: float) -> None:
    latencies: list[float] = []
    until = time.monotonic() + seconds
    counts = await asyncio.gather(
        *(station(url, n, action, until, latencies) for n in range(1, stations + 1))
    )
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000

    print(
        f"{action:12} {stations} stations {seconds:.0f} s: {sum(counts) / seconds:7.0f} msg/s"
        f"  p50 {pct(0.5):6.1f} ms  p99 {pct(0.99):6.1f} ms  max {latencies[-1] * 1000:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="ws://127.0.0.1:8000/ocpp/")
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--action", choices=("Heartbeat", "MeterValues"), default="MeterValues")
    args = parser.parse_args()
    if urlsplit(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("loopback only")
    if not (0 < args.stations <= MAX_STATIONS and 0 < args.seconds <= MAX_SECONDS):
        parser.error(f"at most {MAX_STATIONS} stations and {MAX_SECONDS} s")
    raise_open_file_limit(args.stations)
    asyncio.run(saturate(args.url, args.stations, args.action, args.seconds))


if __name__ == "__main__":
    main()
