"""The text blocks the bench prints: one per target (overall, then per version), the comparison
of the back office with the bare server, and the issue's goal lines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import goals
from backoffice_db import RowCounts
from cpu_usage import Memory, Usage, cores
from figures import PHASES, CallCost, Latency, Rates, StormFigures, Summary, ms, nearest_rank
from flow2x import SETUP_CALLS as SETUP_2X
from flow16 import SETUP_CALLS as SETUP_16
from loadgen import LoadResult
from rows_report import rows_table
from station_client import CallRecord
from version_mix import format_mix

# Share of one core used by processes outside the bench above which figures are suspect.
OTHERS_WARNING = 0.15
_SETUP_CALLS = {"1.6": SETUP_16, "2.0.1": SETUP_2X, "2.1": SETUP_2X}
_MIB = 1024 * 1024


def format_load(
    target: str,
    result: LoadResult,
    summary: Summary,
    window_usage: Usage | None = None,
    rows: RowCounts | None = None,
    server_log: Counter[str] | None = None,
    kills: int = 0,
) -> str:
    config, recorder = result.config, result.recorder
    begin, end = result.core_window
    run_begin, run_end = result.run_window
    in_window = [r for r in recorder.calls if begin <= r.sent_at < end]
    per_version = Counter(result.versions)
    lines = [
        f"== {target} ==",
        f"load          {config.mode}: {config.stations} stations, {format_mix(config.mix)} ("
        + ", ".join(f"{per_version[v]} x {v}" for v, _ in config.mix)
        + f"); meter values every {config.meter_interval:g} s, Heartbeat every"
        f" {config.heartbeat_interval:g} s, {config.duration:g} s of charging"
        + (" after the storm" if config.mode == "storm" else ""),
        f"stations      {config.stations} requested, {len(recorder.connect_seconds)} connected,"
        f" {result.booted} booted, {result.set_up} set up in {summary.setup_seconds:.1f} s"
        f" (ramp {config.ramp:.0f}/s), {result.held_at_steady_end} held at end of charging",
        f"connect ms    {_connect_latency(recorder.connect_seconds)}",
        f"CALLs/s       steady window {_rates(summary.window)}"
        f" ({end - begin:.0f} s; nominal {_nominal(result, result.set_up):.1f}/s"
        f" for {result.set_up} stations)",
        f"              whole run     {_rates(summary.run)} ({run_end - run_begin:.0f} s,"
        f" {len(recorder.calls)} CALLs)",
        f"latency ms    whole run   {_fmt(summary.latency)}",
    ]
    lines += [
        f"  {phase:<12}{_fmt(latency)}"
        for phase, latency in summary.phases.items()
        if latency is not None
    ]
    lines.append(f"  {'in window':<12}{_fmt(Latency.of(in_window))}  (CALLs sent while all charge)")
    lines.append(f"errors        {_errors(result)}")
    lines += _cost_lines(summary)
    if window_usage is not None:
        lines += _share_lines(window_usage)
    if summary.memory is not None:
        lines.append(f"memory        {_memory(summary.memory)}")
    if config.mode == "hold":
        timeouts = sum(1 for r in recorder.calls if r.outcome == "timeout")
        lines.append(
            f"hold          {len(recorder.connect_seconds)} connected, {result.booted} booted,"
            f" {result.set_up} set up, {result.held_at_steady_end} held at the end of the hold"
            f" of {config.stations};"
            f" {timeouts} CALLs timed out"
        )
    if summary.storm is not None:
        lines += _storm_lines(summary.storm)
    elif config.mode == "storm":
        lines.append("storm         the server was not restarted (the run ended first)")
    if kills:
        lines.append(f"WARNING       the server did not stop on SIGTERM and was killed ({kills}x)")
    if server_log:
        lines.append(
            "server log    " + ", ".join(f"{name} x{n}" for name, n in server_log.most_common(8))
        )
    for version, _ in config.mix:
        lines += _version_block(result, version, summary)
    if rows is not None:
        lines += rows_table(result, rows)
    if result.aborted:
        lines.append("ABORTED: the time budget ran out before every station finished")
    return "\n".join(lines)


def _rates(rates: Rates) -> str:
    return f"{rates.answered:7.1f} answered, {rates.sent:7.1f} sent"


def _cost_lines(summary: Summary) -> list[str]:
    lines: list[str] = []
    for label, cost in (("whole run", summary.cost_run), ("steady window", summary.cost_window)):
        if cost is not None:
            lines.append(
                f"{'cpu ms/CALL' if not lines else '':<14}{label:<14}server {cost.server:.2f},"
                f" postgres {cost.postgres:.2f}, server + postgres"
                f" {cost.server_and_postgres:.2f}; generator {cost.generator:.2f}, postgres"
                f" shared background {cost.postgres_shared:.2f} ({cost.calls} CALLs answered)"
            )
    return lines


def _share_lines(usage: Usage) -> list[str]:
    lines = [
        f"cpu share     steady window: server {usage.share(usage.server):.0%}, postgres"
        f" {usage.share(usage.postgres):.0%} (+{usage.share(usage.postgres_shared):.0%}"
        f" shared), generator {usage.share(usage.generator):.0%}, others"
        f" {usage.share(usage.others):.0%} of one core; machine {usage.machine:.0%} of"
        f" {cores()} cores"
    ]
    if usage.share(usage.others) > OTHERS_WARNING:
        lines.append("WARNING       other processes used the CPU meanwhile: figures disturbed")
    return lines


def _memory(memory: Memory) -> str:
    per_station = memory.kib_per_station
    text = (
        f"server RSS (all processes) idle {memory.idle / _MIB:.1f} MiB, peak"
        f" {memory.peak / _MIB:.1f}, while held {memory.held / _MIB:.1f}, end"
        f" {memory.end / _MIB:.1f}"
    )
    if per_station is not None:
        text += f"; {per_station:.1f} KiB per held station above idle ({memory.held_stations} held)"
    return text


def _storm_lines(storm: StormFigures) -> list[str]:
    back = storm.all_back_seconds
    p50 = storm.back_p50_seconds
    lines = [
        f"storm         {storm.charging} of {storm.stations} charging at the restart; server down"
        f" {storm.down_seconds:.1f} s (SIGTERM -> exited {storm.stop_seconds:.1f} s -> listening"
        f" again); {storm.rebooted} re-booted with statuses in, {storm.lost} lost",
        f"  back in     {'-' if back is None else f'{back:.1f}'} s after the server listened again"
        f" (p50 {'-' if p50 is None else f'{p50:.1f}'} s;"
        f" {'-' if back is None else f'{back + storm.down_seconds:.1f}'} s after SIGTERM)",
        f"  connects    {storm.attempts} attempts; {storm.port_closed} found the port closed"
        f" (server down); refused while stopping: {_counts(storm.refused_while_down)}",
        f"  refused     once the server listened again (refused, dropped, timed out):"
        f" {_counts(storm.refused)}; reconnected but setup failed:"
        f" {_counts(storm.setup_failures)}",
        f"  closes      by the stopping server, by close code (1006: no close frame):"
        f" {_counts(storm.closes)}",
    ]
    return lines


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} x{n}" for name, n in counts.items()) or "none"


def _version_block(result: LoadResult, version: str, summary: Summary) -> list[str]:
    recorder = result.recorder
    calls = [r for r in recorder.calls if r.version == version]
    set_up = result.set_up_by_version[version]
    figures = summary.versions[version]
    lines = [
        f"-- OCPP {version}: {result.versions.count(version)} stations,"
        f" {recorder.connected[version]} connected, {set_up} set up --",
        f"  CALLs/s     steady window {_rates(figures.window)}"
        f" (nominal {_nominal(result, set_up):.1f}/s)",
        f"  latency ms  {_fmt(figures.latency)}  (whole run)",
        f"  setup ms    {_fmt(Latency.of([r for r in calls if r.phase == 'setup']))}"
        f"  ({_SETUP_CALLS[version]})",
    ]
    lines += [
        f"    {action:<26}{_fmt(Latency.of([r for r in calls if r.action == action]))}"
        for action in sorted({r.action for r in calls})
    ]
    lines.append(f"  errors      {_errors(result, version)}")
    return lines


def format_comparison(backoffice: Summary, bare: Summary) -> str:
    lines = [
        "== back office vs bare ocpp server (ratio = back office / bare) ==",
        f"{'':<42}{'back office':>12}{'bare':>12}   ratio",
    ]

    def row(label: str, ours: float | None, theirs: float | None, fmt: str = ".1f") -> None:
        cells = [
            f"{'-':>12}" if v is None else (f"{ms(v, 12)}" if fmt == "ms" else f"{v:12{fmt}}")
            for v in (ours, theirs)
        ]
        ratio = "-" if ours is None or theirs is None else _ratio(ours, theirs)
        lines.append(f"{label:<42}{cells[0]}{cells[1]}   {ratio}")

    row("answered CALLs/s, steady window", backoffice.window.answered, bare.window.answered)
    row("sent CALLs/s, steady window", backoffice.window.sent, bare.window.sent)
    row("answered CALLs/s, whole run", backoffice.run.answered, bare.run.answered)
    row("sent CALLs/s, whole run", backoffice.run.sent, bare.run.sent)
    for name in ("p50", "p95", "p99", "max"):
        row(f"latency {name} ms, whole run", *_pair(backoffice, bare, _latency(name)), "ms")
    for phase in PHASES:
        if backoffice.phases.get(phase) or bare.phases.get(phase):
            row(f"  p99 ms, {phase}", *_pair(backoffice, bare, _phase_p99(phase)), "ms")
    for label, part in (
        ("server", lambda c: c.server),
        ("postgres", lambda c: c.postgres),
        ("server + postgres", lambda c: c.server_and_postgres),
        ("generator", lambda c: c.generator),
    ):
        row(f"CPU ms/CALL {label}, whole run", *_pair(backoffice, bare, _cost(part)), ".2f")
    for label, part in (
        ("idle", lambda m: m.idle / _MIB),
        ("peak", lambda m: m.peak / _MIB),
        ("end", lambda m: m.end / _MIB),
    ):
        row(f"server RSS MiB, {label}", *_pair(backoffice, bare, _memory_part(part)))
    row(
        "KiB per held station above idle",
        *_pair(backoffice, bare, lambda s: s.memory.kib_per_station if s.memory else None),
    )
    row("setup s", backoffice.setup_seconds, bare.setup_seconds)
    if backoffice.storm and bare.storm:
        row("storm: all back s", backoffice.storm.all_back_seconds, bare.storm.all_back_seconds)
        row("storm: refused", backoffice.storm.refusals, bare.storm.refusals, ".0f")
        row("storm: lost", backoffice.storm.lost, bare.storm.lost, ".0f")
    if len(backoffice.versions) > 1:
        for version, ours in backoffice.versions.items():
            theirs = bare.versions.get(version)
            if theirs is None:
                continue
            row(
                f"-- {version}: answered CALLs/s, window",
                ours.window.answered,
                theirs.window.answered,
            )
            row(
                f"-- {version}: p99 ms, whole run",
                ours.latency.p99 if ours.latency else None,
                theirs.latency.p99 if theirs.latency else None,
                "ms",
            )
    return "\n".join(lines)


def format_goals(backoffice: Summary, bare: Summary | None) -> str:
    lines = ["== issue 13 goals, judged on this run =="]
    lines += [str(goal) for goal in goals.judge(backoffice, bare)]
    return "\n".join(lines)


def _pair(
    ours: Summary, theirs: Summary, figure: Callable[[Summary], float | None]
) -> tuple[float | None, float | None]:
    return figure(ours), figure(theirs)


def _latency(name: str) -> Callable[[Summary], float | None]:
    return lambda s: getattr(s.latency, name) if s.latency else None


def _phase_p99(phase: str) -> Callable[[Summary], float | None]:
    def figure(summary: Summary) -> float | None:
        latency = summary.phases.get(phase)
        return latency.p99 if latency else None

    return figure


def _cost(part: Callable[[CallCost], float]) -> Callable[[Summary], float | None]:
    return lambda s: part(s.cost_run) if s.cost_run else None


def _memory_part(part: Callable[[Memory], float]) -> Callable[[Summary], float | None]:
    return lambda s: part(s.memory) if s.memory else None


def _nominal(result: LoadResult, stations: int) -> float:
    config = result.config
    return stations * (1 / config.meter_interval + 1 / config.heartbeat_interval)


def _errors(result: LoadResult, version: str | None = None) -> str:
    recorder = result.recorder

    def mine(v: str) -> bool:
        return version is None or v == version

    calls: list[CallRecord] = [r for r in recorder.calls if mine(r.version)]
    outcomes = Counter(f"{r.action} {r.outcome}" for r in calls if r.outcome != "ok")
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
    if not seconds:
        return "-"
    values = sorted(s * 1000 for s in seconds)
    pcts = (nearest_rank(values, p) for p in (50, 95, 99))
    return "p50 {:7.1f}  p95 {:7.1f}  p99 {:7.1f}  ".format(*pcts) + f"max {values[-1]:8.1f}"


def _fmt(latency: Latency | None) -> str:
    return str(latency) if latency else "-"


def _ratio(ours: float, theirs: float) -> str:
    if ours == float("inf") or theirs == float("inf"):
        return "-"
    return f"{ours / theirs:.2f}" if theirs else "-"
