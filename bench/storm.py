"""The restart storm: the bench restarts the server under stations that charge, and each
station reconnects at once, boots again and reports its statuses, then charges on.

A station retries a failed connect after a bounded, jittered exponential backoff: short
while nothing listens on the port (the server is down), longer once a listening server
refused or dropped it (that is the overload a real charger backs off from). Every attempt
and every refusal is counted; a station that is not back by the deadline is lost.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from station_client import CallFailed, StationClient

# Backoff after a connect nothing answered (ConnectionRefusedError: the port is closed).
DOWN_RETRY_FIRST, DOWN_RETRY_MAX = 0.5, 5.0
# Backoff after a listening server refused or dropped the connection, or the boot failed.
REFUSED_RETRY_FIRST, REFUSED_RETRY_MAX = 1.0, 10.0
PORT_CLOSED = "ConnectionRefusedError"
# The bench's bounds on restarting a server: SIGTERM to exit (then SIGKILL), start to listen.
STOP_SECONDS, START_SECONDS = 40.0, 60.0
RESTART_BOUND = STOP_SECONDS + START_SECONDS


@dataclass(frozen=True, slots=True)
class Restarted:
    """When the old server process had exited and when the new one listened (perf_counter)."""

    exited_at: float
    listening_at: float


Restart = Callable[[], Awaitable[Restarted]]


class Rejoining(Protocol):
    client: StationClient
    boot_status: str

    async def set_up(self, phase: str = "setup") -> bool: ...


@dataclass
class StormState:
    """What the storm's stations share: the deadline, and who is back or lost."""

    deadline: float = float("inf")  # perf_counter; stations give up after it
    charging: int = 0  # stations in their charging loop right now
    expected: int = 0  # stations charging when the server was told to stop
    sigterm_at: float = 0.0
    restarted: Restarted | None = None
    rebooted_at: list[float] = field(default_factory=list)  # perf_counter, per station back
    lost: int = 0
    attempts: int = 0  # connect attempts, successful ones included
    # Reconnected, but the boot or a status failed: "boot Pending", "BootNotification timed
    # out", ... (the station closes and tries again).
    setup_failures: Counter[str] = field(default_factory=Counter)

    @property
    def settled(self) -> bool:
        return len(self.rebooted_at) + self.lost >= self.expected


def backoff(failure: str, tries: int, rng: random.Random) -> float:
    """Seconds to wait after the `tries`-th failed attempt in a row, jittered to 50-100 %."""
    first, ceiling = (
        (DOWN_RETRY_FIRST, DOWN_RETRY_MAX)
        if failure == PORT_CLOSED
        else (REFUSED_RETRY_FIRST, REFUSED_RETRY_MAX)
    )
    return min(ceiling, first * 2 ** (tries - 1)) * rng.uniform(0.5, 1.0)


async def rejoin(
    station: Rejoining, state: StormState, connect_timeout: float, rng: random.Random
) -> bool:
    """Reconnect, boot and report statuses again; False when the deadline passed first."""
    client = station.client
    tries = 0
    while time.perf_counter() < state.deadline:
        state.attempts += 1
        failure = ""
        if await client.connect(connect_timeout, again=True):
            try:
                if await station.set_up("storm"):
                    state.rebooted_at.append(time.perf_counter())
                    return True
                failure = f"boot {station.boot_status}"
            except CallFailed as err:
                failure = str(err)
            state.setup_failures[failure] += 1
            await client.close()
        tries += 1
        delay = backoff(failure or client.failure, tries, rng)
        if time.perf_counter() + delay >= state.deadline:
            break
        await asyncio.sleep(delay)
    state.lost += 1
    return False
