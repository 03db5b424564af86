"""OCPP load benchmark: the back office against a bare `ocpp` server (the ceiling).

    .venv/bin/python bench/run.py --stations 1000 --duration 60 [--target backoffice|bare|both]
        [--mix 1.6=40,2.0.1=50,2.1=10]

For the back office it recreates the bench database, migrates and seeds it, serves it with
`manage.py serve` (daphne), runs the load, waits for the batched message log and counts the
rows. For the bare server it runs the same load. Figures go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import backoffice_db
import results
from cpu_usage import CpuSampler, Usage
from loadgen import (
    BENCH_PASSWORD,
    LoadConfig,
    LoadResult,
    add_load_arguments,
    load_config,
    run_load,
)
from version_mix import format_mix

BENCH = Path(__file__).resolve().parent
MESSAGE_LOG_SETTLE_SECONDS = 2.5  # the message log is flushed about every second
_EVENT = re.compile(r"event='([^']+)'")
_STAMP = re.compile(r"^\d{4}-\d\d-\d\d [\d:,.]+ ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=("backoffice", "bare", "both"), default="both")
    parser.add_argument("--database", default="backoffice_bench", help="wiped on every run")
    parser.add_argument("--log-dir", type=Path, default=Path("/tmp/ocpp-bench"))  # noqa: S108
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="serve the back office on the in-memory channel layer (REDIS_URL unset)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (manage.py serve --workers)"
    )
    add_load_arguments(parser)
    args = parser.parse_args()
    args.log_dir.mkdir(parents=True, exist_ok=True)
    summaries: dict[str, results.Summary] = {}
    if args.target in ("backoffice", "both"):
        summaries["backoffice"] = bench_backoffice(args)
    if args.target in ("bare", "both"):
        summaries["bare"] = bench_bare(args)
    if len(summaries) == 2:
        print(results.format_comparison(summaries["backoffice"], summaries["bare"]), flush=True)


def bench_backoffice(args: argparse.Namespace) -> results.Summary:
    progress(f"back office: preparing database {args.database} with {args.stations} stations")
    backoffice_db.recreate(args.database)
    backoffice_db.migrate_and_seed(args.database, args.stations, BENCH_PASSWORD)
    port = free_port()
    command = [
        sys.executable,
        "manage.py",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
    ]
    log_path = args.log_dir / "backoffice.log"
    env = backoffice_db.server_env(args.database, redis=not args.no_redis)
    with server(command, env, port, log_path) as pid:
        config = load_config(f"ws://127.0.0.1:{port}/ocpp/", args)
        result, cpu = load(config, pid, args.database)
        progress("back office: waiting for the batched message log, then counting rows")
        time.sleep(MESSAGE_LOG_SETTLE_SECONDS)
        rows = backoffice_db.count_rows(args.database)
    layer = "in-memory channel layer" if args.no_redis else "Redis channel layer"
    target = f"back office (manage.py serve, daphne, {layer}) ws://127.0.0.1:{port}/ocpp/"
    print(results.format_load(target, result, cpu, rows, log_summary(log_path)), flush=True)
    progress(f"back office log: {log_path}")
    return results.summarize(result, cpu)


def bench_bare(args: argparse.Namespace) -> results.Summary:
    port = free_port()
    command = [sys.executable, str(BENCH / "bare_server.py"), "--port", str(port)]
    log_path = args.log_dir / "bare.log"
    env = backoffice_db.server_env(args.database, redis=False)
    with server(command, env, port, log_path) as pid:
        result, cpu = load(load_config(f"ws://127.0.0.1:{port}/ocpp/", args), pid)
    target = f"bare ocpp server (ocpp + websockets, no database) ws://127.0.0.1:{port}/ocpp/"
    print(results.format_load(target, result, cpu, None, log_summary(log_path)), flush=True)
    return results.summarize(result, cpu)


def load(
    config: LoadConfig, server_pid: int, database: str = ""
) -> tuple[LoadResult, Usage | None]:
    progress(
        f"load: {config.stations} stations ({format_mix(config.mix)}),"
        f" {config.duration:.0f} s of charging,"
        f" meter values every {config.meter_interval:g} s (bounded to {config.time_budget:.0f} s)"
    )
    return asyncio.run(_load_sampled(config, server_pid, database))


async def _load_sampled(
    config: LoadConfig, server_pid: int, database: str
) -> tuple[LoadResult, Usage | None]:
    sampler = CpuSampler(server_pid, database)
    sampling = asyncio.create_task(sampler.run())
    try:
        result = await run_load(config)
    finally:
        sampling.cancel()
    return result, sampler.usage(*result.core_window)


@contextmanager
def server(command: list[str], env: dict[str, str], port: int, log_path: Path) -> Iterator[int]:
    """Run a server subprocess until the block ends; yield its pid once it listens."""
    with log_path.open("w") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
            command,
            cwd=BENCH.parent,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_listening(process, port, log_path)
            yield process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_listening(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {port} within 60 s (log: {log_path})")


def log_summary(log_path: Path) -> Counter[str]:
    """Warnings and errors the server logged, by structlog event (or first words)."""
    counts: Counter[str] = Counter()
    for line in log_path.read_text(errors="replace").splitlines():
        if match := _EVENT.search(line):
            counts[match.group(1)] += 1
        elif line.startswith("Traceback"):
            counts["Traceback"] += 1
        elif any(word in line for word in ("ERROR", "WARNING", "CRITICAL")):
            counts[_STAMP.sub("", line)[:90]] += 1
    return counts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
