"""CPU time and memory of the server under test, its PostgreSQL backends, the generator and
the machine.

Sampled from /proc every half second while the load runs, so each figure can be taken over
any window of the run (the steady window, the whole run). The server is a process tree
(`manage.py serve` and its workers) that the storm mode restarts: each sample keeps CPU
seconds per process, and a window adds up, between consecutive samples, what each process
spent since the previous one (a new process from zero; one that ended in between loses at
most one interval). Memory is the resident set size summed over the server's tree.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")
_CORES = os.cpu_count() or 1
# PostgreSQL's own processes that work for every database (WAL, checkpoints, vacuum).
_POSTGRES_SHARED = (b"checkpointer", b"background writer", b"walwriter", b"autovacuum")

CpuTimes = dict[int, float]  # pid -> CPU seconds (user + system)


@dataclass(frozen=True, slots=True)
class Proc:
    pid: int
    ppid: int
    name: str  # the command name (comm) from /proc/<pid>/stat
    cpu: float  # seconds
    rss: int  # bytes


@dataclass(frozen=True, slots=True)
class Sample:
    at: float  # time.perf_counter()
    server: CpuTimes  # the server's process tree
    server_rss: int  # bytes, summed over the tree
    postgres: CpuTimes  # backends serving the bench database
    postgres_shared: CpuTimes  # checkpointer, background writer, walwriter, autovacuum
    generator: CpuTimes
    machine_busy: float  # CPU seconds over all cores
    machine_total: float


@dataclass(frozen=True, slots=True)
class Usage:
    """CPU seconds each part spent over `wall` seconds of a window.

    `others` is what the rest of the machine used (other processes, the kernel): well above
    zero means the figures were disturbed.
    """

    wall: float
    server: float
    postgres: float
    postgres_shared: float
    generator: float
    machine_busy: float
    machine_total: float

    @property
    def others(self) -> float:
        ours = self.server + self.postgres + self.postgres_shared + self.generator
        return max(0.0, self.machine_busy - ours)

    def share(self, seconds: float) -> float:
        """CPU seconds as a fraction of one core over the window."""
        return seconds / self.wall if self.wall else 0.0

    @property
    def machine(self) -> float:
        """Busy fraction of all cores."""
        return self.machine_busy / self.machine_total if self.machine_total else 0.0


@dataclass(frozen=True, slots=True)
class Memory:
    """Resident memory of the server's process tree, in bytes."""

    idle: int  # before the load
    peak: int  # highest of the run
    held: int  # highest while every station was held (the steady window)
    end: int  # after every socket closed
    held_stations: int  # sockets open at the end of the steady window

    @property
    def kib_per_station(self) -> float | None:
        """Memory above idle per station held, at the highest while they were held."""
        if not self.held_stations:
            return None
        return (self.held - self.idle) / 1024 / self.held_stations


def spent(before: CpuTimes, after: CpuTimes) -> float:
    """CPU seconds between two samples: a process new since `before` counts from zero, one
    gone by `after` is left out, a pid reused meanwhile counts nothing rather than less."""
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in after.items())


def scan() -> dict[int, Proc]:
    """Every process's CPU time and resident size, from one pass over /proc."""
    procs = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        pid = int(entry.name)
        procs[pid] = Proc(
            pid=pid,
            ppid=int(fields[1]),
            name=name,
            cpu=(int(fields[11]) + int(fields[12])) / _TICK,  # utime, stime
            rss=int(fields[21]) * _PAGE,
        )
    return procs


def tree(procs: dict[int, Proc], root: int) -> list[Proc]:
    """`root` and all its descendants that are alive."""
    children: dict[int, list[int]] = {}
    for proc in procs.values():
        children.setdefault(proc.ppid, []).append(proc.pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in procs:
            found.append(procs[pid])
            todo += children.get(pid, [])
    return found


def postgres_processes(procs: dict[int, Proc], database: str) -> tuple[CpuTimes, CpuTimes]:
    """CPU seconds of the backends serving `database` (their title names it), and of
    PostgreSQL's shared background processes."""
    backends, shared = {}, {}
    marker = f" {database} ".encode()
    for proc in procs.values():
        if proc.name != "postgres":
            continue
        try:
            title = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        except OSError:
            continue
        if not title.startswith(b"postgres: "):
            continue
        if database and marker in title:
            backends[proc.pid] = proc.cpu
        elif any(kind in title for kind in _POSTGRES_SHARED):
            shared[proc.pid] = proc.cpu
    return backends, shared


def machine_cpu_seconds() -> tuple[float, float]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])
    return (total - idle) / _TICK, total / _TICK


@dataclass
class CpuSampler:
    """Samples the server whose pid `server_pid()` returns now (it changes on a restart)."""

    server_pid: Callable[[], int]
    database: str = ""
    interval: float = 0.5
    samples: list[Sample] = field(default_factory=list)

    def sample(self) -> None:
        procs = scan()
        server = tree(procs, self.server_pid())
        backends, shared = postgres_processes(procs, self.database)
        busy, total = machine_cpu_seconds()
        generator = os.getpid()
        self.samples.append(
            Sample(
                at=time.perf_counter(),
                server={p.pid: p.cpu for p in server},
                server_rss=sum(p.rss for p in server),
                postgres=backends,
                postgres_shared=shared,
                generator={generator: procs[generator].cpu} if generator in procs else {},
                machine_busy=busy,
                machine_total=total,
            )
        )

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    def window(self, begin: float, end: float) -> list[Sample]:
        """The samples covering [begin, end]: from the last one at or before `begin` to the
        first one at or after `end`."""
        first = max((i for i, s in enumerate(self.samples) if s.at <= begin), default=0)
        last = min(
            (i for i, s in enumerate(self.samples) if s.at >= end), default=len(self.samples) - 1
        )
        return self.samples[first : last + 1]

    def usage(self, begin: float, end: float) -> Usage | None:
        inside = self.window(begin, end)
        if len(inside) < 2:
            return None
        pairs = list(itertools.pairwise(inside))
        return Usage(
            wall=inside[-1].at - inside[0].at,
            server=sum(spent(a.server, b.server) for a, b in pairs),
            postgres=sum(spent(a.postgres, b.postgres) for a, b in pairs),
            postgres_shared=sum(spent(a.postgres_shared, b.postgres_shared) for a, b in pairs),
            generator=sum(spent(a.generator, b.generator) for a, b in pairs),
            machine_busy=inside[-1].machine_busy - inside[0].machine_busy,
            machine_total=inside[-1].machine_total - inside[0].machine_total,
        )

    def memory(
        self, load_started: float, held: tuple[float, float], held_stations: int
    ) -> Memory | None:
        before = [s.server_rss for s in self.samples if s.at <= load_started]
        during = [s.server_rss for s in self.window(*held)]
        if not before or not during:
            return None
        return Memory(
            idle=before[-1],
            peak=max(s.server_rss for s in self.samples),
            held=max(during),
            end=self.samples[-1].server_rss,
            held_stations=held_stations,
        )


def cores() -> int:
    return _CORES
