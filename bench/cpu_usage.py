"""CPU time of the server under test, its PostgreSQL backends, the generator and the machine.

Sampled from /proc while the load runs, so each figure can be taken over the steady window.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")
_CORES = os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class Sample:
    at: float  # time.perf_counter()
    server: float  # CPU seconds
    postgres: dict[int, float]  # backend pid -> CPU seconds, for the bench database only
    generator: float
    machine_busy: float  # CPU seconds over all cores
    machine_total: float


@dataclass(frozen=True, slots=True)
class Usage:
    """Each figure as a fraction of one core, except `machine` (a fraction of all cores).

    `others` is what the rest of the machine used (other processes, the kernel, PostgreSQL's
    shared background workers): well above zero means the figures were disturbed.
    """

    server: float
    postgres: float
    generator: float
    machine: float
    others: float


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds of the process and of its live children (`serve --workers N`)."""
    total = 0.0
    for proc in [Path(f"/proc/{pid}"), *_children(pid)]:
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
    return total


def _children(pid: int) -> list[Path]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # the parent's pid
            found.append(proc)
    return found


def postgres_backends(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving `database` (its title names the db)."""
    found = {}
    marker = f" {database} ".encode()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            title = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and marker in title:
            found[int(proc.name)] = process_cpu_seconds(int(proc.name))
    return found


def machine_cpu_seconds() -> tuple[float, float]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])
    return (total - idle) / _TICK, total / _TICK


@dataclass
class CpuSampler:
    server_pid: int
    database: str = ""
    interval: float = 0.5
    samples: list[Sample] = field(default_factory=list)

    def sample(self) -> None:
        busy, total = machine_cpu_seconds()
        self.samples.append(
            Sample(
                at=time.perf_counter(),
                server=process_cpu_seconds(self.server_pid),
                postgres=postgres_backends(self.database) if self.database else {},
                generator=process_cpu_seconds(os.getpid()),
                machine_busy=busy,
                machine_total=total,
            )
        )

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    def usage(self, begin: float, end: float) -> Usage | None:
        inside = [s for s in self.samples if begin <= s.at <= end]
        if len(inside) < 2:
            return None
        first, last = inside[0], inside[-1]
        wall = last.at - first.at
        server = (last.server - first.server) / wall
        # Backends that ended in between are lost; new ones count from zero.
        postgres = sum(t - first.postgres.get(pid, 0.0) for pid, t in last.postgres.items()) / wall
        generator = (last.generator - first.generator) / wall
        machine_total = last.machine_total - first.machine_total
        machine_busy = last.machine_busy - first.machine_busy
        return Usage(
            server=server,
            postgres=postgres,
            generator=generator,
            machine=machine_busy / machine_total if machine_total else 0.0,
            others=max(0.0, machine_busy / wall - server - postgres - generator),
        )


def cores() -> int:
    return _CORES
