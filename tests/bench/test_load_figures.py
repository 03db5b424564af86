"""The load bench's pure helpers (bench/run.py): percentiles with timeouts, rates, CPU summed
across a server restart, memory per station, the storm's backoff, the goal verdicts, the row
verdicts and the mode defaults. The bench itself is checked by running it (bench/README.md)."""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import replace
from pathlib import Path

import pytest

# The bench modules import each other by bare name, as when run as scripts from bench/;
# appended, so they shadow nothing the suite imports.
sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
import cpu_usage
import figures
import goals
import load_options
import storm
from backoffice_db import RowCounts
from cpu_usage import CpuSampler, Memory, Proc, Sample
from figures import CallCost, Latency, Rates, StormFigures, Summary
from loadgen import LoadConfig, LoadResult
from rows_report import row_problems, verdict
from station_client import CallRecord


def call(sent: float, latency: float | None, outcome: str = "ok") -> CallRecord:
    answered = None if latency is None else sent + latency
    return CallRecord("1.6", "steady", "Heartbeat", sent, answered, outcome)


def test_latency_ranks_a_timeout_above_every_answer() -> None:
    records = [call(0.0, 0.010) for _ in range(98)] + [call(0.0, None, "timeout")] * 2
    latency = Latency.of(records)
    assert latency is not None
    assert (latency.count, latency.timeouts) == (98, 2)
    assert latency.p50 == pytest.approx(10.0)
    assert latency.p99 == figures.TIMEOUT
    assert "timeout" in str(latency)


def test_latency_leaves_out_calls_cut_by_a_disconnect() -> None:
    records = [call(0.0, 0.002), call(0.0, 0.004), call(0.0, None, "disconnected")]
    latency = Latency.of(records)
    assert latency is not None
    assert (latency.count, latency.timeouts, latency.max) == (2, 0, pytest.approx(4.0))
    assert Latency.of([call(0.0, None, "disconnected")]) is None


def test_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert [figures.nearest_rank(values, p) for p in (50, 95, 99, 100)] == [50, 95, 99, 100]
    assert figures.nearest_rank([7.0], 99) == 7.0


def test_rates_count_what_was_answered_and_sent_inside_the_window() -> None:
    records = [call(1.0, 0.5), call(2.0, 9.0), call(0.5, 0.2), call(3.0, None, "timeout")]
    rates = Rates.of(records, 1.0, 5.0)
    # Answered inside [1, 5): 1.5; sent inside: 1.0, 2.0 and 3.0.
    assert rates == Rates(answered=1 / 4, sent=3 / 4)


def sample(at: float, server: dict[int, float], rss: int = 0, postgres: float = 0.0) -> Sample:
    return Sample(
        at=at,
        server=server,
        server_rss=rss,
        postgres={99: postgres},
        postgres_shared={},
        generator={},
        machine_busy=at,
        machine_total=2 * at,
    )


def test_spent_counts_a_new_process_from_zero_and_leaves_a_gone_one_out() -> None:
    assert cpu_usage.spent({1: 5.0, 2: 1.0}, {1: 6.0, 3: 0.5}) == pytest.approx(1.5)
    assert cpu_usage.spent({1: 5.0}, {1: 0.2}) == 0.0  # the pid was reused meanwhile


def test_usage_adds_up_cpu_across_a_server_restart() -> None:
    sampler = CpuSampler(lambda: 1)
    sampler.samples = [
        sample(0.0, {1: 10.0, 2: 4.0}, postgres=1.0),
        sample(1.0, {1: 10.5, 2: 5.0}, postgres=1.5),
        sample(2.0, {}, postgres=1.5),  # stopped
        sample(3.0, {7: 0.8, 8: 0.1}, postgres=2.0),  # the new server and its worker
    ]
    usage = sampler.usage(0.0, 3.0)
    assert usage is not None
    assert usage.wall == 3.0
    assert usage.server == pytest.approx(0.5 + 1.0 + 0.9)
    assert usage.postgres == pytest.approx(1.0)
    assert usage.machine == pytest.approx(0.5)
    # A window between samples takes the samples around it.
    assert [s.at for s in sampler.window(0.5, 1.5)] == [0.0, 1.0, 2.0]


def test_memory_per_held_station_above_idle() -> None:
    sampler = CpuSampler(lambda: 1)
    mib = 1024 * 1024
    sampler.samples = [
        sample(0.0, {}, rss=100 * mib),
        sample(1.0, {}, rss=300 * mib),  # the boot burst
        sample(2.0, {}, rss=200 * mib),
        sample(3.0, {}, rss=250 * mib),
        sample(4.0, {}, rss=150 * mib),
    ]
    memory = sampler.memory(0.5, (2.0, 3.0), held_stations=1024)
    assert memory == Memory(
        idle=100 * mib, peak=300 * mib, held=250 * mib, end=150 * mib, held_stations=1024
    )
    assert memory.kib_per_station == pytest.approx(150.0)
    assert Memory(1, 2, 2, 1, held_stations=0).kib_per_station is None


def test_tree_is_the_root_and_its_descendants() -> None:
    procs = {
        pid: Proc(pid, ppid, "python", 0.0, 0)
        for pid, ppid in ((10, 1), (11, 10), (12, 10), (13, 11), (20, 1))
    }
    assert sorted(p.pid for p in cpu_usage.tree(procs, 10)) == [10, 11, 12, 13]
    assert cpu_usage.tree(procs, 99) == []


def test_backoff_is_short_while_the_port_is_closed_and_bounded() -> None:
    rng = random.Random(1)
    down = [storm.backoff(storm.PORT_CLOSED, n, rng) for n in range(1, 12)]
    refused = [storm.backoff("HTTP 503", n, rng) for n in range(1, 12)]
    assert storm.DOWN_RETRY_FIRST / 2 <= down[0] <= storm.DOWN_RETRY_FIRST
    assert storm.REFUSED_RETRY_FIRST / 2 <= refused[0] <= storm.REFUSED_RETRY_FIRST
    assert max(down) <= storm.DOWN_RETRY_MAX
    assert max(refused) <= storm.REFUSED_RETRY_MAX
    assert min(refused[6:]) >= storm.REFUSED_RETRY_MAX / 2  # grown to the ceiling


def summary(
    *,
    p99: float = 50.0,
    answered: float = 100.0,
    server_ms: float = 0.6,
    postgres_ms: float = 0.3,
    memory: Memory | None = None,
    storm_figures: StormFigures | None = None,
    row_problems: list[str] | None = None,
) -> Summary:
    latency = Latency(1000, 0, 5.0, 20.0, p99, 2 * p99)
    return Summary(
        window=Rates(answered, answered),
        run=Rates(answered, answered),
        latency=latency,
        phases={"steady": latency},
        cost_run=CallCost(1000, server_ms, postgres_ms, 0.05, 0.4),
        cost_window=None,
        memory=memory,
        setup_seconds=10.0,
        versions={},
        storm=storm_figures,
        row_problems=[] if row_problems is None else row_problems,
    )


def test_latency_goal_needs_100_ms_and_twice_the_bare_p99() -> None:
    assert goals.latency(summary(p99=80.0), summary(p99=50.0)).verdict == "met"
    assert goals.latency(summary(p99=80.0), summary(p99=30.0)).verdict == "NOT met"
    assert goals.latency(summary(p99=120.0), summary(p99=100.0)).verdict == "NOT met"
    alone = goals.latency(summary(p99=80.0), None)
    assert alone.verdict == "met"
    assert "not judged" in alone.figures


def test_throughput_goal_compares_with_the_bare_server() -> None:
    assert goals.throughput(summary(answered=900), summary(answered=900)).verdict == "met"
    assert goals.throughput(summary(answered=899), summary(answered=900)).verdict == "NOT met"
    assert goals.throughput(summary(), None).verdict == "n/a"


def test_cost_goal_adds_server_and_postgres() -> None:
    assert goals.cost(summary(server_ms=0.6, postgres_ms=0.4)).verdict == "met"
    assert goals.cost(summary(server_ms=0.7, postgres_ms=0.4)).verdict == "NOT met"


def test_memory_goal_per_held_station() -> None:
    kib = 1024
    held = Memory(idle=0, peak=0, held=100 * kib * 10, end=0, held_stations=10)
    assert goals.memory(summary(memory=held)).verdict == "met"
    over = Memory(idle=0, peak=0, held=101 * kib * 10, end=0, held_stations=10)
    assert goals.memory(summary(memory=over)).verdict == "NOT met"
    assert goals.memory(summary(memory=None)).verdict == "n/a"


def storm_result(**changes: object) -> StormFigures:
    fields: dict = {
        "stations": 10,
        "charging": 10,
        "rebooted": 10,
        "lost": 0,
        "down_seconds": 3.0,
        "stop_seconds": 1.0,
        "all_back_seconds": 20.0,
        "back_p50_seconds": 5.0,
        "attempts": 30,
        "port_closed": 20,
        "refused_while_down": {},
        "refused": {},
        "setup_failures": {},
        "closes": {"1001": 10},
    }
    fields.update(changes)
    return StormFigures(**fields)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "met"),
        ({"all_back_seconds": 61.0}, "NOT met"),
        ({"rebooted": 9, "lost": 1}, "NOT met"),
        ({"charging": 0, "rebooted": 0}, "NOT met"),  # nobody got in before the restart
        ({"refused": {"HTTP 503": 1}}, "NOT met"),
        ({"setup_failures": {"BootNotification timed out": 2}}, "NOT met"),
        ({"all_back_seconds": None, "rebooted": 0, "lost": 10}, "NOT met"),
    ],
)
def test_storm_goal(changes: dict, expected: str) -> None:
    assert goals.storm(summary(storm_figures=storm_result(**changes))).verdict == expected


def test_storm_goal_only_for_a_storm_and_exact_only_with_rows() -> None:
    names = [g.name for g in goals.judge(summary(), None)]
    assert "storm" not in names
    assert "storm" in [g.name for g in goals.judge(summary(storm_figures=storm_result()), None)]
    assert goals.exact(summary()).verdict == "met"
    lost = goals.exact(summary(row_problems=["message log LOST 7"]))
    assert lost.verdict == "NOT met"
    assert "message log LOST 7" in lost.figures
    not_counted = replace(summary(), row_problems=None)
    assert goals.exact(not_counted).verdict == "n/a"


@pytest.mark.parametrize(
    ("expected", "maybe", "stored", "judged"),
    [
        (10, 0, 10, "ok"),
        (10, 3, 12, "ok (+2 from unanswered CALLs)"),
        (10, 3, 8, "LOST 2"),
        (10, 3, 14, "EXTRA 1"),
    ],
)
def test_row_verdict(expected: int, maybe: int, stored: int, judged: str) -> None:
    assert verdict(expected, maybe, stored) == judged


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    load_options.add_load_arguments(parser)
    return parser.parse_args(list(argv))


def test_modes_have_their_own_defaults_and_options_override_them() -> None:
    url = "ws://127.0.0.1:9/ocpp/"
    flow = load_options.load_config(url, parse())
    assert (flow.mode, flow.duration, flow.meter_interval, flow.heartbeat_interval) == (
        "flow",
        60.0,
        5.0,
        30.0,
    )
    hold = load_options.load_config(url, parse("--mode", "hold", "--meter-interval", "30"))
    assert (hold.duration, hold.meter_interval, hold.heartbeat_interval) == (120.0, 30.0, 60.0)
    storm_config = load_options.load_config(url, parse("--mode", "storm", "--mix", "2.0.1=1"))
    assert storm_config.mix == (("2.0.1", 1),)
    # The storm's budget holds the restart and the deadline to be back.
    assert storm_config.time_budget > storm.RESTART_BOUND + storm_config.storm_deadline


def test_row_problems_name_lost_rows_and_rows_stored_twice() -> None:
    result = LoadResult(LoadConfig(url="ws://127.0.0.1:9/ocpp/", stations=1))
    result.recorder.connected["1.6"] = 1
    result.recorder.calls += [
        CallRecord("1.6", "setup", "StatusNotification", 0.0, 0.1, "ok"),
        CallRecord("1.6", "setup", "StatusNotification", 1.0, 1.1, "ok"),
    ]
    tables = {"stations 1.6": 1, "status events": 2, "message log": 4}
    clean = RowCounts(tables, checks={}, duplicates={"status events": 0})
    assert row_problems(result, clean) == []
    lossy = RowCounts({**tables, "message log": 3}, checks={}, duplicates={"status events": 1})
    assert row_problems(result, lossy) == [
        "message log LOST 1",
        "status events stored twice x1",
    ]
