"""Figures from a load run, and the text blocks the bench prints (overall, then per version)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from backoffice_db import RowCounts
from cpu_usage import Usage, cores
from flow2x import SETUP_CALLS as SETUP_2X
from flow16 import SETUP_CALLS as SETUP_16
from loadgen import LoadResult
from rows_report import rows_table
from station_client import CallRecord
from version_mix import format_mix

# Share of one core used by processes outside the bench above which figures are suspect.
OTHERS_WARNING = 0.15
_SETUP_CALLS = {"1.6": SETUP_16, "2.0.1": SETUP_2X, "2.1": SETUP_2X}


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
class Throughput:
    rate: float  # steady-phase CALLs answered per second of the steady phase
    window_rate: float  # CALLs answered per second while every station charges
    steady: Latency | None

    @classmethod
    def of(cls, result: LoadResult, version: str | None = None) -> Throughput:
        begin, end = result.core_window
        calls = _calls(result, version)
        in_window = sum(1 for r in calls if r.answered_at and begin <= r.answered_at < end)
        steady = [r for r in calls if r.phase == "steady"]
        steady_seconds = max(result.steady_ended - result.steady_started, 1e-9)
        return cls(
            rate=sum(1 for r in steady if r.answered_at) / steady_seconds,
            window_rate=in_window / (end - begin),
            steady=Latency.of(steady),
        )


@dataclass(frozen=True, slots=True)
class Summary:
    """The headline figures of one target, overall and per version."""

    total: Throughput
    versions: dict[str, Throughput]
    setup_seconds: float
    server_cpu_ms_per_call: float | None


def summarize(result: LoadResult, cpu: Usage | None = None) -> Summary:
    total = Throughput.of(result)
    per_call = None
    if cpu is not None and total.window_rate:
        per_call = cpu.server * 1000 / total.window_rate
    return Summary(
        total=total,
        versions={v: Throughput.of(result, v) for v, _ in result.config.mix},
        setup_seconds=result.setup_ended - result.setup_started,
        server_cpu_ms_per_call=per_call,
    )


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
    steady_seconds = result.steady_ended - result.steady_started
    setup = Latency.of([r for r in recorder.calls if r.phase == "setup"])
    per_version = Counter(result.versions)
    lines = [
        f"== {target} ==",
        f"mix           {format_mix(config.mix)}: "
        + ", ".join(f"{per_version[v]} x {v}" for v, _ in config.mix),
        f"stations      {config.stations} requested, {len(recorder.connect_seconds)} connected,"
        f" {result.set_up} set up in {summary.setup_seconds:.1f} s (ramp {config.ramp:.0f}/s),"
        f" {result.held_at_steady_end} held at end of charging",
        f"connect ms    {_connect_latency(recorder.connect_seconds)}",
        f"setup ms      {_fmt(setup)}  (BootNotification, StatusNotifications)",
        f"steady        {summary.total.rate:.1f} CALLs/s answered over the steady phase"
        f" ({steady_seconds:.1f} s; {len(recorder.calls)} CALLs in the whole run)",
        f"  in window   {summary.total.window_rate:.1f}/s answered,"
        f" {len(in_window) / window:.1f}/s sent while all charge ({window:.0f} s;"
        f" nominal {_nominal(result, result.set_up):.1f}/s for {result.set_up} stations)",
        f"latency ms    {_fmt(summary.total.steady)}  (steady phase, send -> answer)",
        f"  in window   {_fmt(Latency.of(in_window))}  (CALLs sent while all charge)",
        f"errors        {_errors(result)}",
    ]
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
    for version, _ in config.mix:
        lines += _version_block(result, version, summary.versions[version])
    if rows is not None:
        lines += rows_table(result, rows)
    if result.aborted:
        lines.append("ABORTED: the time budget ran out before every station finished")
    return "\n".join(lines)


def _version_block(result: LoadResult, version: str, figures: Throughput) -> list[str]:
    recorder = result.recorder
    calls = _calls(result, version)
    set_up = result.set_up_by_version[version]
    setup = Latency.of([r for r in calls if r.phase == "setup"])
    lines = [
        f"-- OCPP {version}: {result.versions.count(version)} stations,"
        f" {recorder.connected[version]} connected, {set_up} set up --",
        f"  steady      {figures.rate:.1f} CALLs/s answered over the steady phase,"
        f" {figures.window_rate:.1f}/s while all charge"
        f" (nominal {_nominal(result, set_up):.1f}/s)",
        f"  latency ms  {_fmt(figures.steady)}  (steady phase)",
        f"  setup ms    {_fmt(setup)}  ({_SETUP_CALLS[version]})",
    ]
    lines += [
        f"    {action:<26}{_fmt(Latency.of([r for r in calls if r.action == action]))}"
        for action in sorted({r.action for r in calls})
    ]
    lines.append(f"  errors      {_errors(result, version)}")
    return lines


def format_comparison(backoffice: Summary, bare: Summary) -> str:
    lines = ["== back office vs bare ocpp server (ratio = back office / bare) =="]
    lines += _compare_throughput("", backoffice.total, bare.total)
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
    if len(backoffice.versions) > 1:
        for version, ours in backoffice.versions.items():
            if theirs := bare.versions.get(version):
                lines.append(f"-- OCPP {version}")
                lines += _compare_throughput("  ", ours, theirs)
    return "\n".join(lines)


def _compare_throughput(indent: str, ours: Throughput, theirs: Throughput) -> list[str]:
    width = 18 - len(indent)
    lines = [
        f"{indent}{'CALLs/s (steady)':<{width}}{ours.rate:9.1f} vs {theirs.rate:9.1f}"
        f"   ratio {_ratio(ours.rate, theirs.rate)}",
        f"{indent}{'CALLs/s (window)':<{width}}{ours.window_rate:9.1f} vs"
        f" {theirs.window_rate:9.1f}   ratio {_ratio(ours.window_rate, theirs.window_rate)}",
    ]
    if ours.steady and theirs.steady:
        for name in ("p50", "p95", "p99", "max"):
            a, b = getattr(ours.steady, name), getattr(theirs.steady, name)
            label = f"latency {name} ms"
            lines.append(f"{indent}{label:<{width}}{a:9.1f} vs {b:9.1f}   ratio {_ratio(a, b)}")
    return lines


def _calls(result: LoadResult, version: str | None) -> list[CallRecord]:
    calls = result.recorder.calls
    return calls if version is None else [r for r in calls if r.version == version]


def _nominal(result: LoadResult, stations: int) -> float:
    config = result.config
    return stations * (1 / config.meter_interval + 1 / config.heartbeat_interval)


def _errors(result: LoadResult, version: str | None = None) -> str:
    recorder = result.recorder

    def mine(v: str) -> bool:
        return version is None or v == version

    outcomes = Counter(
        f"{r.action} {r.outcome}" for r in _calls(result, version) if r.outcome != "ok"
    )
    parts = [f"{name} x{n}" for name, n in outcomes.most_common()]
    failures: Counter[str] = Counter()
    for (v, reason), n in recorder.connect_failures.items():
        if mine(v):
            failures[f"connect failed: {reason}"] += n
    for (v, code), n in recorder.disconnects.items():
        if mine(v):
            failures[f"closed by server ({code})"] += n
    for (v, action), n in recorder.server_calls.items():
        if mine(v):
            failures[f"server CALL {action}"] += n
    if late := sum(n for v, n in recorder.late_answers.items() if mine(v)):
        failures["late answers"] += late
    if refused := sum(n for v, n in result.starts_not_accepted.items() if mine(v)):
        failures["start not Accepted"] += refused
    parts += [f"{name} x{n}" for name, n in failures.items()]
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
