"""OCPP load benchmark: the back office against a bare `ocpp` server (the ceiling).

    .venv/bin/python bench/run.py --stations 1000 --duration 60 [--target backoffice|bare|both]
        [--mode flow|hold|storm] [--mix 1.6=40,2.0.1=50,2.1=10]

For the back office it recreates the bench database, migrates and seeds it, serves it with
`manage.py serve` (daphne), runs the load, waits for the batched message log and counts the
rows. For the bare server it runs the same load. The storm mode restarts the server under
test mid-run (SIGTERM, then the same command on the same port). Figures go to stdout, then
the comparison and the issue's goal lines; progress to stderr.
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
from pathlib import Path

import backoffice_db
import figures
import results
from cpu_usage import CpuSampler, Usage
from load_options import add_load_arguments, load_config
from loadgen import BENCH_PASSWORD, LoadConfig, LoadResult, run_load
from rows_report import row_problems
from storm import START_SECONDS, STOP_SECONDS, Restarted
from version_mix import format_mix

BENCH = Path(__file__).resolve().parent
# The message log is flushed about every second; memory is read again after the sockets closed.
SETTLE_SECONDS = 2.5
IDLE_SECONDS = 1.0  # the server's memory is sampled this long before the load
ANSWERING_PROBES = 8
_EVENT = re.compile(r"event='([^']+)'")
_STAMP = re.compile(r"^\d{4}-\d\d-\d\d [\d:,.]+ ")
_NUMBER = re.compile(r"\d+")  # task names, ports, pids: one line per kind of message


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
    try:
        budget = load_config("ws://127.0.0.1:1/ocpp/", args).time_budget
    except ValueError as err:
        parser.error(str(err))
    targets = ("backoffice", "bare") if args.target == "both" else (args.target,)
    progress(
        f"{args.mode}: hard budget {budget:.0f} s of load per target ({len(targets)} target(s)),"
        " plus preparing the database and starting the servers"
    )
    args.log_dir.mkdir(parents=True, exist_ok=True)
    summaries: dict[str, figures.Summary] = {}
    if "backoffice" in targets:
        summaries["backoffice"] = bench_backoffice(args)
    if "bare" in targets:
        summaries["bare"] = bench_bare(args)
    if len(summaries) == 2:
        print(results.format_comparison(summaries["backoffice"], summaries["bare"]), flush=True)
    if "backoffice" in summaries:
        print(results.format_goals(summaries["backoffice"], summaries.get("bare")), flush=True)


def bench_backoffice(args: argparse.Namespace) -> figures.Summary:
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
    with ServerProcess(command, env, port, log_path) as process:
        config = load_config(f"ws://127.0.0.1:{port}/ocpp/", args)
        result, sampler = load(config, process, args.database)
    # Counted once the server has stopped: its graceful stop flushes the batched message log,
    # which a backlogged server writes seconds after the answers.
    progress("back office: counting rows")
    rows = backoffice_db.count_rows(args.database)
    layer = "in-memory channel layer" if args.no_redis else "Redis channel layer"
    target = f"back office (manage.py serve, daphne, {layer}) ws://127.0.0.1:{port}/ocpp/"
    summary, window_usage = measure(result, sampler, row_problems(result, rows))
    print(
        results.format_load(
            target, result, summary, window_usage, rows, log_summary(log_path), process.kills
        ),
        flush=True,
    )
    progress(f"back office log: {log_path}")
    return summary


def bench_bare(args: argparse.Namespace) -> figures.Summary:
    port = free_port()
    command = [sys.executable, str(BENCH / "bare_server.py"), "--port", str(port)]
    log_path = args.log_dir / "bare.log"
    env = backoffice_db.server_env(args.database, redis=False)
    with ServerProcess(command, env, port, log_path) as process:
        result, sampler = load(load_config(f"ws://127.0.0.1:{port}/ocpp/", args), process)
    target = f"bare ocpp server (ocpp + websockets, no database) ws://127.0.0.1:{port}/ocpp/"
    summary, window_usage = measure(result, sampler)
    print(
        results.format_load(
            target, result, summary, window_usage, None, log_summary(log_path), process.kills
        ),
        flush=True,
    )
    return summary


def measure(
    result: LoadResult, sampler: CpuSampler, problems: list[str] | None = None
) -> tuple[figures.Summary, Usage | None]:
    """The target's figures, and its CPU use over the steady window (for the share line)."""
    window_usage = sampler.usage(*result.core_window)
    memory = sampler.memory(result.setup_started, result.core_window, result.held_in_window)
    summary = figures.summarize(
        result, sampler.usage(*result.run_window), window_usage, memory, problems
    )
    return summary, window_usage


def load(
    config: LoadConfig, server: ServerProcess, database: str = ""
) -> tuple[LoadResult, CpuSampler]:
    progress(
        f"load ({config.mode}): {config.stations} stations ({format_mix(config.mix)}),"
        f" {config.duration:.0f} s of charging, meter values every {config.meter_interval:g} s,"
        f" Heartbeat every {config.heartbeat_interval:g} s (bounded to {config.time_budget:.0f} s)"
    )
    return asyncio.run(_load_sampled(config, server, database))


async def _load_sampled(
    config: LoadConfig, server: ServerProcess, database: str
) -> tuple[LoadResult, CpuSampler]:
    sampler = CpuSampler(lambda: server.pid, database)
    sampling = asyncio.create_task(sampler.run())
    restart = None
    if config.mode == "storm":

        async def restart() -> Restarted:
            progress("storm: restarting the server (SIGTERM, then start it again)")
            restarted = await asyncio.to_thread(server.restart)
            progress("storm: the server listens again; the stations reconnect")
            return restarted

    try:
        await asyncio.sleep(IDLE_SECONDS)  # the idle server's memory
        result = await run_load(config, restart)
        await asyncio.sleep(SETTLE_SECONDS)
    finally:
        sampling.cancel()
    sampler.sample()
    return result, sampler


class ServerProcess:
    """A server subprocess, listening on `port` while the block runs; restartable (storm).

    Each start appends to `log_path`. A stop is SIGTERM, then SIGKILL after STOP_SECONDS
    (counted in `kills`: the figures of a storm whose server had to be killed say so).
    """

    def __init__(self, command: list[str], env: dict[str, str], port: int, log_path: Path):
        self.command, self.env, self.port, self.log_path = command, env, port, log_path
        self.kills = 0
        self._process: subprocess.Popen[bytes] | None = None
        log_path.write_text("")

    @property
    def pid(self) -> int:
        return self._process.pid if self._process else 0

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self, *, answering: bool = True) -> None:
        """Start; return once the port takes connections, and with `answering` (not in a
        storm, where the stations queue on the port meanwhile) once every worker answers."""
        with self.log_path.open("a") as log_file:
            self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
                self.command,
                cwd=BENCH.parent,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_SECONDS
        wait_listening(self._process, self.port, self.log_path, deadline)
        if answering:
            wait_answering(self._process, self.port, self.log_path, deadline)

    def stop(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.kills += 1
            progress(
                f"server {process.pid} still running {STOP_SECONDS:.0f} s after SIGTERM: killed"
            )
            process.kill()
            process.wait()

    def restart(self) -> Restarted:
        """Stop the server, start the same command on the same port; when each happened."""
        self.stop()
        exited_at = time.perf_counter()
        self.start(answering=False)
        return Restarted(exited_at=exited_at, listening_at=time.perf_counter())


def wait_listening(
    process: subprocess.Popen[bytes], port: int, log_path: Path, deadline: float
) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(
        f"server did not listen on {port} within {START_SECONDS:.0f} s (log: {log_path})"
    )


def wait_answering(
    process: subprocess.Popen[bytes], port: int, log_path: Path, deadline: float
) -> None:
    """Until ANSWERING_PROBES HTTP requests in a row get an answer. `serve` binds the port
    before its workers have loaded Django; connections queue meanwhile, and the kernel spreads
    them over the workers' sockets, so a row of answers means each worker runs (the chance
    that all probes went to one worker is 2**-(probes-1) with two)."""
    answered = 0
    while answered < ANSWERING_PROBES:
        if time.monotonic() > deadline:
            raise RuntimeError(f"server did not answer within {START_SECONDS:.0f} s ({log_path})")
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                answered = answered + 1 if sock.recv(16) else 0
        except OSError:
            answered = 0
            time.sleep(0.1)


def log_summary(log_path: Path) -> Counter[str]:
    """Warnings and errors the server logged, by structlog event (or first words)."""
    counts: Counter[str] = Counter()
    for line in log_path.read_text(errors="replace").splitlines():
        if match := _EVENT.search(line):
            counts[match.group(1)] += 1
        elif line.startswith("Traceback"):
            counts["Traceback"] += 1
        elif any(word in line for word in ("ERROR", "WARNING", "CRITICAL")):
            counts[_NUMBER.sub("N", _STAMP.sub("", line))[:90]] += 1
    return counts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
