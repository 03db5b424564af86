"""The figures of one target's run: rates, latency, CPU per answered CALL, memory, storm.

Pure computations over what the generator recorded and what the sampler measured; results.py
prints them and goals.py judges them against the issue's goals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cpu_usage import Memory, Usage
from loadgen import LoadResult
from station_client import CallRecord
from storm import PORT_CLOSED

PHASES = ("setup", "steady", "close", "storm")
TIMEOUT = math.inf  # the latency a CALL that timed out counts with


@dataclass(frozen=True, slots=True)
class Latency:
    """Percentiles in ms over CALLs sent; a CALL that timed out ranks above every answer (its
    latency is at least the timeout), so a p99 over 1 % of timeouts reads `timeout`. CALLs cut
    by a disconnect are left out."""

    count: int  # answered
    timeouts: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, records: list[CallRecord]) -> Latency | None:
        answered = sorted(r.latency * 1000 for r in records if r.latency is not None)
        timeouts = sum(1 for r in records if r.outcome == "timeout")
        values = answered + [TIMEOUT] * timeouts
        if not values:
            return None
        p50, p95, p99 = (nearest_rank(values, p) for p in (50, 95, 99))
        return cls(len(answered), timeouts, p50, p95, p99, values[-1])

    def __str__(self) -> str:
        late = f", {self.timeouts} timed out" if self.timeouts else ""
        return (
            f"p50 {ms(self.p50)}  p95 {ms(self.p95)}  p99 {ms(self.p99)}  "
            f"max {ms(self.max, 8)}  (n={self.count}{late})"
        )


def nearest_rank(values: list[float], percent: float) -> float:
    """The nearest-rank percentile of sorted `values`."""
    return values[max(0, math.ceil(percent / 100 * len(values)) - 1)]


def ms(value: float, width: int = 7) -> str:
    return f"{'timeout':>{width}}" if value == TIMEOUT else f"{value:{width}.1f}"


@dataclass(frozen=True, slots=True)
class Rates:
    """CALLs per second: answered (CALLRESULT or CALLERROR) and sent, over a window."""

    answered: float
    sent: float

    @classmethod
    def of(cls, calls: list[CallRecord], begin: float, end: float) -> Rates:
        seconds = max(end - begin, 1e-9)
        answered = sum(
            1 for r in calls if r.answered_at is not None and begin <= r.answered_at < end
        )
        sent = sum(1 for r in calls if begin <= r.sent_at < end)
        return cls(answered / seconds, sent / seconds)


@dataclass(frozen=True, slots=True)
class CallCost:
    """CPU ms per answered CALL over a window, per part of the system."""

    calls: int  # answered in the window
    server: float
    postgres: float  # the bench database's backends
    postgres_shared: float  # PostgreSQL's background processes, shared with other databases
    generator: float

    @classmethod
    def of(cls, usage: Usage | None, calls: int) -> CallCost | None:
        if usage is None or not calls:
            return None
        per_call = 1000 / calls
        return cls(
            calls,
            usage.server * per_call,
            usage.postgres * per_call,
            usage.postgres_shared * per_call,
            usage.generator * per_call,
        )

    @property
    def server_and_postgres(self) -> float:
        """The goal's figure: server processes plus the bench database's backends."""
        return self.server + self.postgres


@dataclass(frozen=True, slots=True)
class StormFigures:
    stations: int  # asked for
    charging: int  # stations charging when the server was told to stop
    rebooted: int
    lost: int
    down_seconds: float  # SIGTERM -> the new server listens
    stop_seconds: float  # SIGTERM -> the old server exited
    all_back_seconds: float | None  # the new server listens -> the last station re-booted
    back_p50_seconds: float | None
    attempts: int  # connect attempts
    port_closed: int  # attempts that found nothing listening
    refused_while_down: dict[str, int]  # other failures before the new server listened
    refused: dict[str, int]  # failures once the new server listened: HTTP status, drops...
    setup_failures: dict[str, int]  # reconnected, but the boot or a status failed
    closes: dict[str, int]  # close codes the stopping server sent (or "no close frame")

    @property
    def refusals(self) -> int:
        return sum(self.refused.values()) + sum(self.setup_failures.values())


@dataclass(frozen=True, slots=True)
class VersionFigures:
    window: Rates
    latency: Latency | None  # whole run


@dataclass(frozen=True, slots=True)
class Summary:
    """The headline figures of one target."""

    window: Rates  # the steady window
    run: Rates  # the whole run
    latency: Latency | None  # the whole run, boot burst included
    phases: dict[str, Latency | None]
    cost_run: CallCost | None
    cost_window: CallCost | None
    memory: Memory | None
    setup_seconds: float
    versions: dict[str, VersionFigures]
    storm: StormFigures | None = None
    # Why the rows are not exact (empty when they are); None: not counted (the bare server).
    row_problems: list[str] | None = None


def summarize(
    result: LoadResult,
    run_usage: Usage | None = None,
    window_usage: Usage | None = None,
    memory: Memory | None = None,
    row_problems: list[str] | None = None,
) -> Summary:
    calls = result.recorder.calls
    window, run = result.core_window, result.run_window
    answered_in = {
        name: sum(1 for r in calls if r.answered_at is not None and begin <= r.answered_at < end)
        for name, (begin, end) in (("window", window), ("run", run))
    }
    return Summary(
        window=Rates.of(calls, *window),
        run=Rates.of(calls, *run),
        latency=Latency.of(calls),
        phases={p: Latency.of([r for r in calls if r.phase == p]) for p in PHASES},
        cost_run=CallCost.of(run_usage, answered_in["run"]),
        cost_window=CallCost.of(window_usage, answered_in["window"]),
        memory=memory,
        setup_seconds=result.setup_ended - result.setup_started,
        versions={
            v: VersionFigures(
                Rates.of([r for r in calls if r.version == v], *window),
                Latency.of([r for r in calls if r.version == v]),
            )
            for v, _ in result.config.mix
        },
        storm=storm_figures(result) if result.config.mode == "storm" else None,
        row_problems=row_problems,
    )


def storm_figures(result: LoadResult) -> StormFigures | None:
    state, recorder = result.storm, result.recorder
    if state.restarted is None:
        return None
    listening = state.restarted.listening_at
    back = sorted(t - listening for t in state.rebooted_at)
    while_down: dict[str, int] = {}
    refused: dict[str, int] = {}
    for (reason, server_back), n in recorder.reconnect_failures.items():
        if reason == PORT_CLOSED:
            continue
        counts = refused if server_back else while_down
        counts[reason] = counts.get(reason, 0) + n
    closes: dict[str, int] = {}
    for (_, code), n in recorder.restart_closes.items():
        closes[code] = closes.get(code, 0) + n
    return StormFigures(
        stations=result.config.stations,
        charging=state.expected,
        rebooted=len(state.rebooted_at),
        lost=state.lost,
        down_seconds=listening - state.sigterm_at,
        stop_seconds=state.restarted.exited_at - state.sigterm_at,
        all_back_seconds=back[-1] if back else None,
        back_p50_seconds=nearest_rank(back, 50) if back else None,
        attempts=state.attempts,
        port_closed=sum(
            n for (reason, _), n in recorder.reconnect_failures.items() if reason == PORT_CLOSED
        ),
        refused_while_down=while_down,
        refused=refused,
        setup_failures=dict(state.setup_failures),
        closes=closes,
    )
