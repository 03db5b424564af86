"""OCPP 1.6 load: N simulated stations boot, report status and charge, bounded in time.

Phases:
  setup   each station connects (ramped), sends BootNotification and StatusNotification for
          connectors 0, 1 and 2;
  steady  once all are set up, each station (at a random offset within one meter interval)
          authorizes, starts a transaction on connector 1, sends MeterValues (eight sampled
          values) every meter interval with jitter and a Heartbeat about every heartbeat
          interval, and after `duration` seconds stops the transaction with transactionData;
  close   every socket is closed.

Run alone against a server that already runs and knows the stations (see seed_backoffice.py):
    .venv/bin/python bench/load16.py --url ws://127.0.0.1:8000/ocpp/ --stations 100
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass, field

import ocpp16_frames as frames
from limits import raise_open_file_limit
from station_client import CallFailed, Recorder, StationClient

BENCH_PASSWORD = "bench-station-password-0001"  # noqa: S105 - seeded for the bench only
MAX_STATIONS = 20_000
MAX_DURATION = 3_600.0
CONNECTOR = 1
POWER_W = 11_000
# transactionData of each StopTransaction: a Transaction.Begin and a Transaction.End element.
STOP_ELEMENTS = 2
STATUS_CONNECTORS = (0, 1, 2)
# Per transaction: Preparing, Charging, Finishing, Available.
STATUS_PER_SESSION = 4


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
    set_up: int = 0  # stations connected, booted Accepted and past their StatusNotifications
    steady_started: float = 0.0
    steady_ended: float = 0.0
    held_at_steady_end: int = 0  # sockets open when the last station had to stop charging
    starts_not_accepted: int = 0
    aborted: bool = False  # the time budget ran out

    @property
    def core_window(self) -> tuple[float, float]:
        """The part of the steady phase in which every station is charging."""
        begin = self.steady_started + self.config.meter_interval
        return begin, max(begin + 1.0, self.steady_started + self.config.duration)


async def run_load(config: LoadConfig) -> LoadResult:
    raise_open_file_limit(config.stations)
    result = LoadResult(config)
    clients = [
        StationClient(
            station_identity(n),
            config.url + station_identity(n),
            config.password,
            result.recorder,
            config.call_timeout,
        )
        for n in range(1, config.stations + 1)
    ]
    try:
        async with asyncio.timeout(config.time_budget):
            await _run_phases(config, clients, result)
    except TimeoutError:
        result.aborted = True
    finally:
        await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)
    return result


async def _run_phases(config: LoadConfig, clients: list[StationClient], result: LoadResult) -> None:
    rng = random.Random(config.seed)
    result.setup_started = time.perf_counter()
    ready = await asyncio.gather(
        *(
            _set_up(client, config, result.setup_started + i / config.ramp)
            for i, client in enumerate(clients)
        )
    )
    result.setup_ended = time.perf_counter()
    result.set_up = sum(ready)
    result.steady_started = time.perf_counter()
    sessions = [
        _session(client, config, result, n, rng.uniform(0, config.meter_interval), rng.random())
        for n, (client, ok) in enumerate(zip(clients, ready, strict=True), start=1)
        if ok
    ]
    counter = asyncio.create_task(_count_held(clients, result))
    await asyncio.gather(*sessions)
    result.steady_ended = time.perf_counter()
    await counter


async def _set_up(client: StationClient, config: LoadConfig, start_at: float) -> bool:
    await _sleep_until(start_at)
    if not await client.connect(config.connect_timeout):
        return False
    try:
        boot = await client.call(
            "setup", "BootNotification", frames.boot_notification(client.identity)
        )
        if boot.get("status") != "Accepted":
            return False
        for connector_id in STATUS_CONNECTORS:
            await client.call(
                "setup",
                "StatusNotification",
                frames.status_notification(connector_id, "Available"),
            )
    except CallFailed:
        return False
    return True


async def _session(
    client: StationClient,
    config: LoadConfig,
    result: LoadResult,
    n: int,
    offset: float,
    heartbeat_phase: float,
) -> None:
    """One transaction on connector 1 lasting `duration`, then stop and back to Available."""
    rng = random.Random(config.seed * 100_003 + n)
    begin = result.steady_started + offset
    end_at = begin + config.duration
    id_tag = station_id_tag(n)
    energy_wh = 1000 * n
    await _sleep_until(begin)
    try:
        if config.authorize:
            await client.call("steady", "Authorize", frames.authorize(id_tag))
        await _status(client, "Preparing")
        start = await client.call(
            "steady", "StartTransaction", frames.start_transaction(CONNECTOR, id_tag, energy_wh)
        )
        if start["idTagInfo"]["status"] != "Accepted":
            result.starts_not_accepted += 1
        transaction_id = start["transactionId"]
        await _status(client, "Charging")
        begin_element = frames.meter_value_element(energy_wh, 0, "Transaction.Begin")
        last = time.perf_counter()
        next_meter = last + config.meter_interval * rng.uniform(0.8, 1.2)
        next_heartbeat = last + config.heartbeat_interval * heartbeat_phase
        while (due := min(next_meter, next_heartbeat)) < end_at:
            await _sleep_until(due)
            if due == next_meter:
                now = time.perf_counter()
                energy_wh += round(POWER_W * (now - last) / 3600)
                last = now
                element = frames.meter_value_element(energy_wh, POWER_W, "Sample.Periodic")
                await _tolerant_call(
                    client, "MeterValues", frames.meter_values(CONNECTOR, transaction_id, element)
                )
                step = config.meter_interval * rng.uniform(0.8, 1.2)
                next_meter = max(next_meter + step, time.perf_counter())
            else:
                await _tolerant_call(client, "Heartbeat", frames.heartbeat())
                next_heartbeat = max(
                    next_heartbeat + config.heartbeat_interval, time.perf_counter()
                )
        await _sleep_until(end_at)
        energy_wh += round(POWER_W * (time.perf_counter() - last) / 3600)
        end_element = frames.meter_value_element(energy_wh, 0, "Transaction.End")
        await client.call(
            "steady",
            "StopTransaction",
            frames.stop_transaction(
                transaction_id, id_tag, energy_wh, [begin_element, end_element]
            ),
        )
        await _status(client, "Finishing")
        await _status(client, "Available")
    except CallFailed:
        return  # recorded by the client; this station's session ends here


async def _status(client: StationClient, status: str) -> None:
    await client.call("steady", "StatusNotification", frames.status_notification(CONNECTOR, status))


async def _tolerant_call(client: StationClient, action: str, payload: frames.Payload) -> None:
    """A lost MeterValues or Heartbeat does not end the session; a lost socket does."""
    try:
        await client.call("steady", action, payload)
    except CallFailed:
        if not client.is_open:
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
    )


def main() -> None:
    import results  # the printing side, only for this standalone entry point

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="ws://127.0.0.1:<port>/ocpp/")
    add_load_arguments(parser)
    args = parser.parse_args()
    result = asyncio.run(run_load(load_config(args.url, args)))
    print(results.format_load(args.url, result))


if __name__ == "__main__":
    main()
