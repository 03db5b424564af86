"""The goal lines of issue 13, judged on one run's figures: met, NOT met, or n/a.

Each goal names the load the issue judges it on; the bench judges it on whatever load was run,
so a line is only the issue's verdict when the run matches (the README lists the commands).
"""

from __future__ import annotations

from dataclasses import dataclass

from figures import TIMEOUT, Summary

P99_LIMIT_MS = 100.0
P99_BARE_FACTOR = 2.0
CPU_LIMIT_MS = 1.0
KIB_PER_STATION_LIMIT = 100.0
STORM_LIMIT_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Goal:
    name: str
    verdict: str  # "met", "NOT met" or "n/a"
    figures: str  # what was measured against what
    judged_on: str  # the load the issue judges it on

    def __str__(self) -> str:
        return f"{self.name:<11}{self.verdict:<9}{self.figures}   [issue: {self.judged_on}]"


def _ms(value: float) -> str:
    return "timeout" if value == TIMEOUT else f"{value:.1f} ms"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT met")


def latency(ours: Summary, bare: Summary | None) -> Goal:
    judged_on = "2,000 stations, meter values every 10 s, 1.6 and 2.0.1"
    if ours.latency is None:
        return Goal("latency", "n/a", "no CALL answered", judged_on)
    p99 = ours.latency.p99
    text = f"p99 over the whole run {_ms(p99)} <= {P99_LIMIT_MS:g} ms"
    ok = p99 <= P99_LIMIT_MS
    if bare is not None and bare.latency is not None:
        limit = P99_BARE_FACTOR * bare.latency.p99
        text += f" and <= {P99_BARE_FACTOR:g} x bare ({_ms(limit)})"
        ok = ok and p99 <= limit
    else:
        text += " (no bare server in this run: its half not judged)"
    return Goal("latency", _verdict(ok), text, judged_on)


def throughput(ours: Summary, bare: Summary | None) -> Goal:
    judged_on = "2,000 stations, meter values every 1 s (saturated), 1.6 and 2.0.1"
    if bare is None:
        return Goal("throughput", "n/a", "no bare server in this run", judged_on)
    a, b = ours.window.answered, bare.window.answered
    text = f"answered {a:.0f}/s >= bare {b:.0f}/s (steady window)"
    return Goal("throughput", _verdict(a >= b), text, judged_on)


def cost(ours: Summary) -> Goal:
    judged_on = "the realistic mix, server processes plus PostgreSQL"
    if ours.cost_run is None:
        return Goal("cost", "n/a", "no CALL answered, or CPU not sampled", judged_on)
    per_call = ours.cost_run.server_and_postgres
    text = (
        f"{per_call:.2f} ms CPU per answered CALL (server {ours.cost_run.server:.2f}"
        f" + PostgreSQL {ours.cost_run.postgres:.2f}, whole run) <= {CPU_LIMIT_MS:g} ms"
    )
    return Goal("cost", _verdict(per_call <= CPU_LIMIT_MS), text, judged_on)


def memory(ours: Summary) -> Goal:
    judged_on = "hold, 10,000 stations, heartbeat and meter values every 60 s"
    per_station = ours.memory.kib_per_station if ours.memory else None
    if per_station is None:
        return Goal("memory", "n/a", "no station held, or memory not sampled", judged_on)
    text = f"{per_station:.1f} KiB per held station above idle <= {KIB_PER_STATION_LIMIT:g} KiB"
    return Goal("memory", _verdict(per_station <= KIB_PER_STATION_LIMIT), text, judged_on)


def storm(ours: Summary) -> Goal:
    judged_on = "storm, 10,000 stations"
    figures = ours.storm
    if figures is None:
        return Goal("storm", "n/a", "the server was not restarted", judged_on)
    back = figures.all_back_seconds
    ok = (
        figures.charging == figures.stations  # a storm of fewer stations than asked is none
        and figures.lost == 0
        and figures.rebooted >= figures.charging
        and back is not None
        and back <= STORM_LIMIT_SECONDS
        and figures.refusals == 0
    )
    text = (
        f"{figures.charging} of {figures.stations} charging at the restart,"
        f" {figures.rebooted} re-booted with statuses in"
        f" {'-' if back is None else f'{back:.1f}'} s <= {STORM_LIMIT_SECONDS:g} s after the"
        f" server listened again, {figures.lost} lost, {figures.refusals} refused or dropped"
    )
    return Goal("storm", _verdict(ok), text, judged_on)


def exact(ours: Summary) -> Goal:
    judged_on = "every run"
    problems = ours.row_problems
    if problems is None:
        return Goal("exact", "n/a", "rows not counted", judged_on)
    text = "rows stored = rows expected, no duplicates" + (
        ": " + "; ".join(problems) if problems else ""
    )
    return Goal("exact", _verdict(not problems), text, judged_on)


def judge(ours: Summary, bare: Summary | None) -> list[Goal]:
    goals = [latency(ours, bare), throughput(ours, bare), cost(ours), memory(ours)]
    if ours.storm is not None:
        goals.append(storm(ours))
    goals.append(exact(ours))
    return goals
