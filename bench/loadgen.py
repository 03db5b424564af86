"""OCPP load: N simulated stations of a version mix boot, report status and charge, bounded.

Each station speaks one version, given by `--mix` (default: all 1.6); what it sends is in
flow16.py (1.6) and flow2x.py (2.0.1, 2.1), the timing is here.
Phases:
  setup   each station connects (ramped), sends BootNotification and its StatusNotifications;
  steady  once all are set up, each station (at a random offset within one meter interval)
          authorizes and starts a transaction, then sends meter values (MeterValues in 1.6,
          TransactionEvent Updated in 2.x; eight sampled values) every meter interval with
          jitter and a Heartbeat about every heartbeat interval;
  close   each station ends its transaction and reports its connector free, then every
          socket is closed.
Modes (`--mode`):
  flow    each station charges `duration` seconds (the issue's table);
  hold    the same, read as a hold: how many stay connected and what memory they cost (the
          issue's 10,000 stations with heartbeat and meter values every 60 s);
  storm   once every station charges, the bench restarts the server; each station reconnects
          at once (storm.py), boots again and reports its statuses (the "storm" phase), then
          charges `duration` seconds more.

Run alone against a server that already runs and knows the stations (see seed_backoffice.py):
    .venv/bin/python bench/load_only.py --url ws://127.0.0.1:8000/ocpp/ --stations 100
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import storm
from flow2x import Station2x
from flow16 import Station16
from limits import raise_open_file_limit
from station_client import CallFailed, Recorder, StationClient
from storm import Restart, StormState
from version_mix import DEFAULT_MIX, Mix, assign

BENCH_PASSWORD = "bench-station-password-0001"  # noqa: S105 - seeded for the bench only
MAX_STATIONS = 20_000
MAX_DURATION = 3_600.0
POWER_W = 11_000
Station = Station16 | Station2x
STATIONS: dict[str, type[Station]] = {"1.6": Station16, "2.0.1": Station2x, "2.1": Station2x}
MODES = ("flow", "hold", "storm")


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
    mode: str = "flow"
    storm_after: float = 10.0  # storm: seconds of charging between the last start and restart
    storm_deadline: float = 120.0  # storm: seconds after the server listens again to be back

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if not 1 <= self.stations <= MAX_STATIONS:
            raise ValueError(f"stations must be within 1..{MAX_STATIONS}")
        if not 1 <= self.duration <= MAX_DURATION:
            raise ValueError(f"duration must be within 1..{MAX_DURATION:.0f} s")
        if not self.url.startswith(("ws://127.0.0.1:", "ws://localhost:", "ws://[::1]:")):
            raise ValueError("the load generator only talks to loopback (ws://127.0.0.1:...)")
        if min(self.meter_interval, self.heartbeat_interval, self.ramp, self.call_timeout) <= 0:
            raise ValueError("intervals, ramp and timeouts must be positive")
        if not (0 <= self.storm_after <= MAX_DURATION and 1 <= self.storm_deadline <= 600):
            raise ValueError("storm-after must be within 0..3600 s, storm-deadline 1..600 s")

    @property
    def time_budget(self) -> float:
        """A hard bound on the whole run: setup, steady phase, the last calls, and slack."""
        setup = self.stations / self.ramp + self.connect_timeout + 4 * self.call_timeout
        steady = self.meter_interval + self.duration + 8 * self.call_timeout
        if self.mode == "storm":
            starts = self.meter_interval + 4 * self.call_timeout
            steady += starts + self.storm_after + storm.RESTART_BOUND + self.storm_deadline
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
    booted: int = 0  # stations whose first BootNotification was answered Accepted
    steady_started: float = 0.0
    starts_pending: int = 0  # sessions that have not yet sent their start
    all_started_at: float = 0.0  # storm: when the last start was answered (or gave up)
    steady_ended: float = 0.0  # every session ended (the close phase's CALLs included)
    run_ended: float = 0.0  # every socket closed
    held_at_steady_end: int = 0  # sockets open when the last station had to stop charging
    starts_not_accepted: Counter[str] = field(default_factory=Counter)  # by version
    storm: StormState = field(default_factory=StormState)
    aborted: bool = False  # the time budget ran out

    @property
    def core_window(self) -> tuple[float, float]:
        """The steady window: every station is charging (storm: before the restart)."""
        if self.config.mode == "storm":
            begin = self.all_started_at
            end = self.storm.sigterm_at or self.steady_ended
        else:
            begin = self.steady_started + self.config.meter_interval
            end = self.steady_started + self.config.duration
        return begin, max(begin + 1.0, end)

    @property
    def held_in_window(self) -> int:
        """Stations connected through the steady window (storm: charging at the restart)."""
        return self.storm.expected if self.config.mode == "storm" else self.held_at_steady_end

    @property
    def run_window(self) -> tuple[float, float]:
        """The whole run: from the first connect to the last socket closed."""
        return self.setup_started, max(self.setup_started + 1.0, self.run_ended)


async def run_load(config: LoadConfig, restart: Restart | None = None) -> LoadResult:
    """Run the load; the storm mode needs `restart`, which restarts the server under test."""
    if config.mode == "storm" and restart is None:
        raise ValueError("the storm mode needs a way to restart the server")
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
            await _run_phases(config, stations, result, restart)
    except TimeoutError:
        result.aborted = True
    finally:
        await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)
        result.run_ended = time.perf_counter()
    return result


@dataclass
class _End:
    """When the sessions stop charging (each `offset` later); the storm mode sets it once
    every station is back."""

    at: float = float("inf")


async def _run_phases(
    config: LoadConfig, stations: list[Station], result: LoadResult, restart: Restart | None
) -> None:
    rng = random.Random(config.seed)
    result.setup_started = time.perf_counter()
    ready = await asyncio.gather(
        *(
            _set_up(station, config, result.setup_started + i / config.ramp)
            for i, station in enumerate(stations)
        )
    )
    result.setup_ended = time.perf_counter()
    result.booted = sum(s.boot_status == "Accepted" for s in stations)
    result.set_up = sum(ready)
    set_up = [s for s, ok in zip(stations, ready, strict=True) if ok]
    result.set_up_by_version.update(s.client.version for s in set_up)
    result.steady_started = time.perf_counter()
    result.starts_pending = len(set_up)
    # Each station stops `offset` after this end, as it started `offset` into the steady phase.
    end = _End() if restart is not None else _End(result.steady_started + config.duration)
    sessions = [
        _session(
            station,
            config,
            result,
            n,
            rng.uniform(0, config.meter_interval),
            rng.random(),
            end,
        )
        for n, (station, ok) in enumerate(zip(stations, ready, strict=True), start=1)
        if ok
    ]
    if restart is not None:
        counter = asyncio.create_task(_storm(config, result, restart, set_up, end))
    else:
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
    end: _End,
) -> None:
    """One transaction from `offset` into the steady phase to `offset` after `end`; then stop
    and back to Available. In the storm mode a station whose socket the server closed rejoins
    at once."""
    rng = random.Random(config.seed * 100_003 + n)
    storming = config.mode == "storm"
    energy_wh = 1000 * n
    await _sleep_until(result.steady_started + offset)
    try:
        if not await station.start(energy_wh, authorize=config.authorize):
            result.starts_not_accepted[station.client.version] += 1
    except CallFailed:
        return  # recorded by the client; this station's session ends here
    finally:
        result.starts_pending -= 1
    last = time.perf_counter()
    next_meter = last + config.meter_interval * rng.uniform(0.8, 1.2)
    next_heartbeat = last + config.heartbeat_interval * heartbeat_phase
    result.storm.charging += 1
    try:
        while (due := min(next_meter, next_heartbeat)) < end.at + offset:
            await _pause_until(due, station.client.wake if storming else None)
            if storming and not station.client.is_open:
                if not await storm.rejoin(station, result.storm, config.connect_timeout, rng):
                    return
                now = time.perf_counter()
                next_meter, next_heartbeat = max(next_meter, now), max(next_heartbeat, now)
                continue
            if time.perf_counter() < due:
                continue  # woken early: the end moved
            try:
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
            except CallFailed:
                if not storming:
                    raise
        await _sleep_until(end.at + offset)
        energy_wh += round(POWER_W * (time.perf_counter() - last) / 3600)
        await station.stop(energy_wh)
    except CallFailed:
        return  # recorded by the client; this station's session ends here
    finally:
        result.storm.charging -= 1


async def _storm(
    config: LoadConfig, result: LoadResult, restart: Restart, stations: list[Station], end: _End
) -> None:
    """Restart the server once every station charges; end charging once all are back."""
    state = result.storm
    bound = time.perf_counter() + config.meter_interval + 4 * config.call_timeout
    while result.starts_pending and time.perf_counter() < bound:
        await asyncio.sleep(0.1)
    result.all_started_at = time.perf_counter()
    await asyncio.sleep(config.storm_after)
    state.expected = state.charging
    result.recorder.restarting = True
    state.sigterm_at = time.perf_counter()
    state.deadline = state.sigterm_at + storm.RESTART_BOUND + config.storm_deadline
    state.restarted = await restart()
    result.recorder.server_back = True
    state.deadline = state.restarted.listening_at + config.storm_deadline
    while not state.settled and time.perf_counter() < state.deadline:
        await asyncio.sleep(0.1)
    result.recorder.restarting = False
    end.at = time.perf_counter() + config.duration
    for station in stations:
        station.client.wake.set()  # a station asleep past the new end looks again
    await _sleep_until(end.at)
    result.held_at_steady_end = sum(station.client.is_open for station in stations)


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


async def _pause_until(at: float, wake: asyncio.Event | None) -> None:
    """Sleep until `at`, or until `wake` is set (then cleared: the caller looks at why)."""
    if wake is None:
        await _sleep_until(at)
        return
    delay = at - time.perf_counter()
    if delay > 0 and not wake.is_set():
        try:
            async with asyncio.timeout(delay):
                await wake.wait()
        except TimeoutError:
            return
    wake.clear()
