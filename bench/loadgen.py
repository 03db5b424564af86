"""OCPP load: N simulated stations of a version mix boot, report status and charge, bounded.

Each station speaks one version, given by `--mix` (default: all 1.6); what it sends is in
flow16.py (1.6) and flow2x.py (2.0.1, 2.1), the timing is here.
Phases:
  setup   each station connects (ramped), sends BootNotification and its StatusNotifications;
  steady  once all are set up, each station (at a random offset within one meter interval)
          authorizes and starts a transaction, sends meter values (MeterValues in 1.6,
          TransactionEvent Updated in 2.x; eight sampled values) every meter interval with
          jitter and a Heartbeat about every heartbeat interval, and after `duration` seconds
          ends the transaction;
  close   every socket is closed.

Run alone against a server that already runs and knows the stations (see seed_backoffice.py):
    .venv/bin/python bench/load_only.py --url ws://127.0.0.1:8000/ocpp/ --stations 100
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from flow2x import Station2x
from flow16 import Station16
from limits import raise_open_file_limit
from station_client import CallFailed, Recorder, StationClient
from version_mix import DEFAULT_MIX, Mix, assign, parse_mix

BENCH_PASSWORD = "bench-station-password-0001"  # noqa: S105 - seeded for the bench only
MAX_STATIONS = 20_000
MAX_DURATION = 3_600.0
POWER_W = 11_000
STATIONS = {"1.6": Station16, "2.0.1": Station2x, "2.1": Station2x}
Station = Station16 | Station2x


def station_identity(n: int) -> str:
    return f"BENCH-{n:05d}"


def station_id_tag(n: int) -> str:
    return f"BENCH-TAG-{n:05d}"


@dataclass(frozen=True)
class LoadConfig:
    url: str  # ws://127.0.0.1:<port>/ocpp/ ; the station id is appended
    stations: int = 1000
    duration: float = 60.0
    meter_interval: float = 5.0
    heartbeat_interval: float = 30.0
    ramp: float = 200.0  # new connections per second
    call_timeout: float = 30.0
    connect_timeout: float = 30.0
    authorize: bool = True
    password: str = BENCH_PASSWORD
    seed: int = 16
    mix: Mix = DEFAULT_MIX  # (version, weight) pairs

    def __post_init__(self) -> None:
        if not 1 <= self.stations <= MAX_STATIONS:
            raise ValueError(f"stations must be within 1..{MAX_STATIONS}")
        if not 1 <= self.duration <= MAX_DURATION:
            raise ValueError(f"duration must be within 1..{MAX_DURATION:.0f} s")
        if not self.url.startswith(("ws://127.0.0.1:", "ws://localhost:", "ws://[::1]:")):
            raise ValueError("the load generator only talks to loopback (ws://127.0.0.1:...)")
        if min(self.meter_interval, self.heartbeat_interval, self.ramp, self.call_timeout) <= 0:
            raise ValueError("intervals, ramp and timeouts must be positive")

    @property
    def time_budget(self) -> float:
        """A hard bound on the whole run: setup, steady phase, the last calls, and slack."""
        setup = self.stations / self.ramp + self.connect_timeout + 4 * self.call_timeout
        steady = self.meter_interval + self.duration + 8 * self.call_timeout
        return setup + steady + 30


@dataclass
class LoadResult:
    config: LoadConfig
    recorder: Recorder = field(default_factory=Recorder)
    setup_started: float = 0.0
    setup_ended: float = 0.0
    versions: list[str] = field(default_factory=list)  # of stations 1..N
    set_up: int = 0  # stations connected, booted Accepted and past their StatusNotifications
    set_up_by_version: Counter[str] = field(default_factory=Counter)
    steady_started: float = 0.0
    steady_ended: float = 0.0
    held_at_steady_end: int = 0  # sockets open when the last station had to stop charging
    starts_not_accepted: Counter[str] = field(default_factory=Counter)  # by version
    aborted: bool = False  # the time budget ran out

    @property
    def core_window(self) -> tuple[float, float]:
        """The part of the steady phase in which every station is charging."""
        begin = self.steady_started + self.config.meter_interval
        return begin, max(begin + 1.0, self.steady_started + self.config.duration)


async def run_load(config: LoadConfig) -> LoadResult:
    raise_open_file_limit(config.stations)
    result = LoadResult(config, versions=assign(config.mix, config.stations, config.seed))
    clients = [
        StationClient(
            station_identity(n),
            config.url + station_identity(n),
            config.password,
            result.recorder,
            config.call_timeout,
            version,
        )
        for n, version in enumerate(result.versions, start=1)
    ]
    stations = [STATIONS[c.version](c, station_id_tag(n)) for n, c in enumerate(clients, start=1)]
    try:
        async with asyncio.timeout(config.time_budget):
            await _run_phases(config, stations, result)
    except TimeoutError:
        result.aborted = True
    finally:
        await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)
    return result


async def _run_phases(config: LoadConfig, stations: list[Station], result: LoadResult) -> None:
    rng = random.Random(config.seed)
    result.setup_started = time.perf_counter()
    ready = await asyncio.gather(
        *(
            _set_up(station, config, result.setup_started + i / config.ramp)
            for i, station in enumerate(stations)
        )
    )
    result.setup_ended = time.perf_counter()
    result.set_up = sum(ready)
    set_up = [s for s, ok in zip(stations, ready, strict=True) if ok]
    result.set_up_by_version.update(s.client.version for s in set_up)
    result.steady_started = time.perf_counter()
    sessions = [
        _session(station, config, result, n, rng.uniform(0, config.meter_interval), rng.random())
        for n, (station, ok) in enumerate(zip(stations, ready, strict=True), start=1)
        if ok
    ]
    counter = asyncio.create_task(_count_held([s.client for s in stations], result))
    await asyncio.gather(*sessions)
    result.steady_ended = time.perf_counter()
    await counter


async def _set_up(station: Station, config: LoadConfig, start_at: float) -> bool:
    await _sleep_until(start_at)
    if not await station.client.connect(config.connect_timeout):
        return False
    try:
        return await station.set_up()
    except CallFailed:
        return False


async def _session(
    station: Station,
    config: LoadConfig,
    result: LoadResult,
    n: int,
    offset: float,
    heartbeat_phase: float,
) -> None:
    """One transaction lasting `duration`, then stop and back to Available."""
    rng = random.Random(config.seed * 100_003 + n)
    begin = result.steady_started + offset
    end_at = begin + config.duration
    energy_wh = 1000 * n
    await _sleep_until(begin)
    try:
        if not await station.start(energy_wh, authorize=config.authorize):
            result.starts_not_accepted[station.client.version] += 1
        last = time.perf_counter()
        next_meter = last + config.meter_interval * rng.uniform(0.8, 1.2)
        next_heartbeat = last + config.heartbeat_interval * heartbeat_phase
        while (due := min(next_meter, next_heartbeat)) < end_at:
            await _sleep_until(due)
            if due == next_meter:
                now = time.perf_counter()
                energy_wh += round(POWER_W * (now - last) / 3600)
                last = now
                await _tolerant(station, station.meter(energy_wh, POWER_W))
                step = config.meter_interval * rng.uniform(0.8, 1.2)
                next_meter = max(next_meter + step, time.perf_counter())
            else:
                await _tolerant(station, station.heartbeat())
                next_heartbeat = max(
                    next_heartbeat + config.heartbeat_interval, time.perf_counter()
                )
        await _sleep_until(end_at)
        energy_wh += round(POWER_W * (time.perf_counter() - last) / 3600)
        await station.stop(energy_wh)
    except CallFailed:
        return  # recorded by the client; this station's session ends here


async def _tolerant(station: Station, call: Coroutine[Any, Any, None]) -> None:
    """A lost meter value or Heartbeat does not end the session; a lost socket does."""
    try:
        await call
    except CallFailed:
        if not station.client.is_open:
            raise


async def _count_held(clients: list[StationClient], result: LoadResult) -> None:
    await _sleep_until(result.steady_started + result.config.duration)
    result.held_at_steady_end = sum(client.is_open for client in clients)


async def _sleep_until(at: float) -> None:
    delay = at - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stations", type=int, default=1000, help="simulated stations (1000)")
    parser.add_argument(
        "--duration", type=float, default=60.0, help="seconds each station charges (60)"
    )
    parser.add_argument(
        "--meter-interval", type=float, default=5.0, help="seconds between MeterValues (5)"
    )
    parser.add_argument(
        "--heartbeat-interval", type=float, default=30.0, help="seconds between Heartbeats (30)"
    )
    parser.add_argument("--ramp", type=float, default=200.0, help="new connections per second")
    parser.add_argument("--call-timeout", type=float, default=30.0, help="seconds per CALL")
    parser.add_argument("--no-authorize", action="store_true", help="skip Authorize")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--mix",
        type=_mix_argument,
        default=DEFAULT_MIX,
        help="OCPP versions of the stations, as weights: 1.6=40,2.0.1=50,2.1=10 (1.6=100)",
    )


def _mix_argument(text: str) -> Mix:
    try:
        return parse_mix(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def load_config(url: str, args: argparse.Namespace) -> LoadConfig:
    return LoadConfig(
        url=url,
        stations=args.stations,
        duration=args.duration,
        meter_interval=args.meter_interval,
        heartbeat_interval=args.heartbeat_interval,
        ramp=args.ramp,
        call_timeout=args.call_timeout,
        authorize=not args.no_authorize,
        seed=args.seed,
        mix=args.mix,
    )
