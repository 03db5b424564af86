"""Figures from a load run, and the text blocks the bench prints."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from backoffice_db import RowCounts
from cpu_usage import Usage, cores
from load16 import STOP_ELEMENTS, LoadResult
from station_client import CallRecord

# Share of one core used by processes outside the bench above which figures are suspect.
OTHERS_WARNING = 0.15


@dataclass(frozen=True, slots=True)
class Latency:
    count: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, records: list[CallRecord]) -> Latency | None:
        values = sorted(r.latency * 1000 for r in records if r.latency is not None)
        if not values:
            return None
        return cls(len(values), *(_nearest_rank(values, p) for p in (50, 95, 99)), values[-1])

    def __str__(self) -> str:
        return (
            f"p50 {self.p50:7.1f}  p95 {self.p95:7.1f}  p99 {self.p99:7.1f}  "
            f"max {self.max:8.1f}  (n={self.count})"
        )


def _nearest_rank(values: list[float], percent: float) -> float:
    return values[max(0, math.ceil(percent / 100 * len(values)) - 1)]


@dataclass(frozen=True, slots=True)
class Summary:
    """The headline figures of one target."""

    rate: float  # steady-phase CALLs answered per second of the steady phase
    window_rate: float  # CALLs answered per second while every station charges
    steady: Latency | None
    setup_seconds: float
    server_cpu_ms_per_call: float | None


def summarize(result: LoadResult, cpu: Usage | None = None) -> Summary:
    begin, end = result.core_window
    calls = result.recorder.calls
    in_window = sum(1 for r in calls if r.answered_at and begin <= r.answered_at < end)
    steady = [r for r in calls if r.phase == "steady"]
    steady_seconds = max(result.steady_ended - result.steady_started, 1e-9)
    per_call = None
    if cpu is not None and in_window:
        per_call = cpu.server * 1000 * (end - begin) / in_window
    return Summary(
        rate=sum(1 for r in steady if r.answered_at) / steady_seconds,
        window_rate=in_window / (end - begin),
        steady=Latency.of(steady),
        setup_seconds=result.setup_ended - result.setup_started,
        server_cpu_ms_per_call=per_call,
    )


def expected_rows(result: LoadResult) -> dict[str, tuple[int, int]]:
    """Table -> (rows the answered CALLs must have written, rows unanswered CALLs may add).

    An unanswered CALL (timed out, or the socket closed first) may or may not have been
    persisted, so it widens the accepted range instead of counting as lost or extra.
    """
    answered: Counter[str] = Counter()
    unanswered: Counter[str] = Counter()
    for r in result.recorder.calls:
        if r.outcome == "ok":
            answered[r.action] += 1
        elif r.answered_at is None:
            unanswered[r.action] += 1
    frames = sum(1 for r in result.recorder.calls if r.answered_at is not None)

    def both(action: str, per_call: int = 1) -> tuple[int, int]:
        return per_call * answered[action], per_call * unanswered[action]

    meter, meter_maybe = both("MeterValues")
    stop_meter, stop_meter_maybe = both("StopTransaction", STOP_ELEMENTS)
    return {
        "transactions": both("StartTransaction"),
        "  completed": both("StopTransaction"),
        "meter values": (meter + stop_meter, meter_maybe + stop_meter_maybe),
        "status events": both("StatusNotification"),
        # Every CALL in and its answer out.
        "message log": (2 * frames, 2 * unanswered.total()),
    }


def format_load(
    target: str,
    result: LoadResult,
    cpu: Usage | None = None,
    rows: RowCounts | None = None,
    server_log: Counter[str] | None = None,
) -> str:
    config, recorder = result.config, result.recorder
    summary = summarize(result, cpu)
    begin, end = result.core_window
    window = end - begin
    in_window = [r for r in recorder.calls if begin <= r.sent_at < end]
    nominal = result.set_up * (1 / config.meter_interval + 1 / config.heartbeat_interval)
    steady_seconds = result.steady_ended - result.steady_started
    setup = Latency.of([r for r in recorder.calls if r.phase == "setup"])
    lines = [
        f"== {target} ==",
        f"stations      {config.stations} requested, {len(recorder.connect_seconds)} connected,"
        f" {result.set_up} set up in {summary.setup_seconds:.1f} s (ramp {config.ramp:.0f}/s),"
        f" {result.held_at_steady_end} held at end of charging",
        f"connect ms    {_connect_latency(recorder.connect_seconds)}",
        f"setup ms      {_fmt(setup)}  (BootNotification, 3 StatusNotification)",
        f"steady        {summary.rate:.1f} CALLs/s answered over the steady phase"
        f" ({steady_seconds:.1f} s; {len(recorder.calls)} CALLs in the whole run)",
        f"  in window   {summary.window_rate:.1f}/s answered, {len(in_window) / window:.1f}/s sent"
        f" while all charge ({window:.0f} s; nominal {nominal:.1f}/s for {result.set_up} stations)",
        f"latency ms    {_fmt(summary.steady)}  (steady phase, send -> answer)",
        f"  in window   {_fmt(Latency.of(in_window))}  (CALLs sent while all charge)",
    ]
    lines += [
        f"  {action:<20}{_fmt(Latency.of([r for r in recorder.calls if r.action == action]))}"
        for action in sorted({r.action for r in recorder.calls})
    ]
    lines.append(f"errors        {_errors(result)}")
    if cpu is not None:
        lines.append(
            f"cpu           server {cpu.server:.0%}, postgres {cpu.postgres:.0%}, generator"
            f" {cpu.generator:.0%}, others {cpu.others:.0%} of one core; machine {cpu.machine:.0%}"
            f" of {cores()} cores; server {summary.server_cpu_ms_per_call or 0:.2f} ms CPU per CALL"
        )
        if cpu.others > OTHERS_WARNING:
            lines.append("WARNING       other processes used the CPU meanwhile: figures disturbed")
    if server_log:
        lines.append(
            "server log    " + ", ".join(f"{name} x{n}" for name, n in server_log.most_common(8))
        )
    if rows is not None:
        lines += _rows_table(result, rows)
    if result.aborted:
        lines.append("ABORTED: the time budget ran out before every station finished")
    return "\n".join(lines)


def format_comparison(backoffice: Summary, bare: Summary) -> str:
    lines = ["== back office vs bare ocpp server (ratio = back office / bare) =="]
    lines.append(
        f"CALLs/s (steady)  {backoffice.rate:9.1f} vs {bare.rate:9.1f}"
        f"   ratio {_ratio(backoffice.rate, bare.rate)}"
    )
    lines.append(
        f"CALLs/s (window)  {backoffice.window_rate:9.1f} vs {bare.window_rate:9.1f}"
        f"   ratio {_ratio(backoffice.window_rate, bare.window_rate)}"
    )
    if backoffice.steady and bare.steady:
        for name in ("p50", "p95", "p99", "max"):
            ours, theirs = getattr(backoffice.steady, name), getattr(bare.steady, name)
            lines.append(
                f"latency {name:<4} ms  {ours:9.1f} vs {theirs:9.1f}   ratio {_ratio(ours, theirs)}"
            )
    lines.append(
        f"setup s           {backoffice.setup_seconds:9.1f} vs {bare.setup_seconds:9.1f}"
        f"   ratio {_ratio(backoffice.setup_seconds, bare.setup_seconds)}"
    )
    if backoffice.server_cpu_ms_per_call and bare.server_cpu_ms_per_call:
        lines.append(
            f"server CPU ms/CALL {backoffice.server_cpu_ms_per_call:8.2f} vs"
            f" {bare.server_cpu_ms_per_call:9.2f}   ratio"
            f" {_ratio(backoffice.server_cpu_ms_per_call, bare.server_cpu_ms_per_call)}"
        )
    return "\n".join(lines)


def _rows_table(result: LoadResult, rows: RowCounts) -> list[str]:
    lines = ["rows          table            expected  persisted  verdict"]
    for table, (expected, maybe) in expected_rows(result).items():
        persisted = rows.tables.get(table.strip(), 0)
        if persisted == expected:
            verdict = "ok"
        elif expected < persisted <= expected + maybe:
            verdict = f"ok (+{persisted - expected} from unanswered CALLs)"
        elif persisted < expected:
            verdict = f"LOST {expected - persisted}"
        else:
            verdict = f"EXTRA {persisted - expected - maybe}"
        lines.append(f"              {table:<16}{expected:9d}  {persisted:9d}  {verdict}")
    odd = [f"{name} x{n}" for name, n in rows.checks.items() if n]
    lines.append("row checks    " + ("; ".join(odd) if odd else "none odd"))
    return lines


def _errors(result: LoadResult) -> str:
    recorder = result.recorder
    outcomes = Counter(
        f"{r.action} {r.outcome}" for r in recorder.calls if r.outcome not in ("ok",)
    )
    parts = [f"{name} x{n}" for name, n in outcomes.most_common()]
    parts += [f"connect failed: {name} x{n}" for name, n in recorder.connect_failures.items()]
    parts += [f"closed by server ({code}) x{n}" for code, n in recorder.disconnects.items()]
    parts += [f"server CALL {name} x{n}" for name, n in recorder.server_calls.items()]
    if recorder.late_answers:
        parts.append(f"late answers x{recorder.late_answers}")
    if result.starts_not_accepted:
        parts.append(f"StartTransaction not Accepted x{result.starts_not_accepted}")
    return "; ".join(parts) if parts else "none"


def _connect_latency(seconds: list[float]) -> str:
    values = sorted(s * 1000 for s in seconds)
    if not values:
        return "-"
    pcts = (_nearest_rank(values, p) for p in (50, 95, 99))
    return "p50 {:7.1f}  p95 {:7.1f}  p99 {:7.1f}  ".format(*pcts) + f"max {values[-1]:8.1f}"


def _fmt(latency: Latency | None) -> str:
    return str(latency) if latency else "-"


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs else "-"
