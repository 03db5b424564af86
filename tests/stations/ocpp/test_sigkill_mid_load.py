"""A worker of `serve --workers 2` killed with SIGKILL under load loses and doubles nothing.

40 chargers (half 1.6, half 2.0.1) charge back to back (tests/charging_load.py: sessions of a
start, meter values with Heartbeats between them, and a stop). After ~2 s the worker holding
most of them is killed outright. Its chargers reconnect and resend the transaction message
that was not answered, same content (1.6 §3.7, 2.0.1 E13), and carry on for ~2 s more. Then
the database must hold every answered transaction message exactly once, every other one whole
or not at all, and nothing nobody sent; the parent must have replaced the worker, and the
other worker's chargers must never have noticed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from stations.models import StationConnection
from tests import charging_load
from tests.charging_load import V16, V201
from tests.factories.accounts import IdTokenFactory
from tests.factories.stations import StationFactory
from tests.resending_charger import ResendingCharger
from tests.server import LiveOcppServer, child_pids, start_server

pytestmark = pytest.mark.asyncio

STATIONS_PER_VERSION = 20
LOAD_BEFORE_KILL = 2.0
LOAD_AFTER_RECOVERY = 2.0
# Answers a charger of the killed worker must get on its new socket before the run goes on.
ANSWERS_AFTER_RECONNECT = 3
TRANSACTION_MESSAGES = {"StartTransaction", "StopTransaction", "MeterValues", "TransactionEvent"}


def _holders(identities: list[str]) -> dict[str, int]:
    """Station identity -> pid of the worker holding its socket (WORKER_NAME host:pid:…)."""
    rows = StationConnection.objects.filter(station__identity__in=identities).values_list(
        "station__identity", "worker__name"
    )
    return {identity: int(worker.split(":")[1]) for identity, worker in rows}


def _unfailed(tasks: list[asyncio.Task[None]]) -> bool:
    """True, or the exception of a charger that failed (not waited for until the timeout)."""
    for task in tasks:
        if task.done() and task.exception() is not None:
            raise AssertionError(task.get_name()) from task.exception()
    return True


def _answers_after_drop(charger: ResendingCharger, since: float) -> int:
    """CALLs answered after the charger's first lost socket from `since` on (0 if none lost)."""
    dropped = [at for at, _ in charger.drops if at >= since]
    if not dropped:
        return 0
    return sum(1 for c in charger.calls if c.answered_at is not None and c.answered_at > dropped[0])


async def _until(check, *, timeout: float, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(every)


@dataclass
class Run:
    """What happened around the kill, as the chargers and the parent saw it."""

    chargers: dict[str, ResendingCharger]
    victim: int
    # Stations the killed worker held, and the others.
    killed: set[str]
    spared: set[str]
    workers_before: set[int]
    workers_after: set[int]
    # time.monotonic() when every station's worker was known, and at the kill.
    watched_from: float
    killed_at: float


async def test_a_worker_killed_mid_load_loses_and_doubles_nothing(transactional_db):
    versions = {}
    for version in (V16, V201):
        for n in range(STATIONS_PER_VERSION):
            identity = f"SK{version[4:].replace('.', '')}-{n:02d}"
            StationFactory(identity=identity)
            IdTokenFactory(id_token=f"TAG-{identity}")
            versions[identity] = version
    server = start_server(
        database_name=connection.settings_dict["NAME"],
        channel_prefix=settings.CHANNEL_PREFIX,
        workers=2,
    )
    try:
        try:
            run = await _load_and_kill(server, versions)
        finally:
            # Before the rows are read: nothing is still being written.
            server.stop()
        _check_the_run(run, server.log_text())
        _check_the_rows(run)
    finally:
        # The test body's own connection, or dropping the test database finds it still open.
        connection.close()


async def _load_and_kill(server: LiveOcppServer, versions: dict[str, str]) -> Run:
    """Charge on every station, kill the worker holding most of them, charge on, stop."""
    workers_before = set(child_pids(server.process.pid))
    assert len(workers_before) == 2
    stopping = asyncio.Event()
    loads = {
        identity: charging_load.Load(
            ResendingCharger(server, identity, version), f"TAG-{identity}", stopping
        )
        for identity, version in versions.items()
    }
    tasks = [asyncio.create_task(charging_load.charge(load)) for load in loads.values()]
    try:
        # Long: the workers are slow to start on a loaded machine, and the chargers wait.
        assert await _until(
            lambda: _unfailed(tasks) and all(x.charging.is_set() for x in loads.values()),
            timeout=90,
        )
        holders = await _until(
            lambda: (h := _holders(list(loads))) and len(h) == len(loads) and h, timeout=10
        )
        assert holders and set(holders.values()) == workers_before, holders
        watched_from = time.monotonic()
        await asyncio.sleep(LOAD_BEFORE_KILL)

        victim = Counter(holders.values()).most_common(1)[0][0]
        killed = {identity for identity, pid in holders.items() if pid == victim}
        assert {loads[i].charger.subprotocol for i in killed} == {V16, V201}
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()

        def recovered() -> bool:
            workers = set(child_pids(server.process.pid))
            replaced = len(workers) == 2 and victim not in workers
            return (
                _unfailed(tasks)
                and replaced
                and all(
                    _answers_after_drop(loads[i].charger, killed_at) >= ANSWERS_AFTER_RECONNECT
                    for i in killed
                )
            )

        # Long too: the stations the kernel queued on the dead worker's socket wait for its
        # replacement to start (4 s of CPU; 47 s measured at a load average of 17).
        assert await _until(recovered, timeout=90), server.log_text()[-3000:]
        await asyncio.sleep(LOAD_AFTER_RECOVERY)
        stopping.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
    finally:
        for task in tasks:
            task.cancel()
    assert server.process.poll() is None, server.log_text()[-3000:]
    return Run(
        chargers={identity: load.charger for identity, load in loads.items()},
        victim=victim,
        killed=killed,
        spared=set(loads) - killed,
        workers_before=workers_before,
        workers_after=set(child_pids(server.process.pid)),
        watched_from=watched_from,
        killed_at=killed_at,
    )


def _check_the_run(run: Run, log: str) -> None:
    """The parent replaced the worker; only its chargers noticed, and they resent."""
    assert f"pid={run.victim}" in log and "serve.worker_died" in log
    assert len(run.workers_after) == 2 and run.workers_before - run.workers_after == {run.victim}
    # The other worker's chargers never noticed: from the moment their worker was known, no
    # socket lost and every CALL answered.
    for identity in run.spared:
        charger = run.chargers[identity]
        assert [d for d in charger.drops if d[0] >= run.watched_from] == [], identity
        assert all(c.answered for c in charger.calls if c.sent_at >= run.watched_from), identity
    # The killed worker's chargers lost their socket and were served again on a new one.
    for identity in run.killed:
        charger = run.chargers[identity]
        assert _answers_after_drop(charger, run.killed_at) >= ANSWERS_AFTER_RECONNECT, identity
    # The kill caught transaction messages in flight, and they were sent again.
    assert [
        c for i in run.killed for c in run.chargers[i].resent if c.action in TRANSACTION_MESSAGES
    ]
    errors = [(i, c.action, c.error) for i, ch in run.chargers.items() for c in ch.calls if c.error]
    assert errors == []


def _check_the_rows(run: Run) -> None:
    """Every transaction message stored once, whole or not at all, and nothing else."""
    for charger in run.chargers.values():
        charging_load.check_stored_exactly_once(charger)
    # And the chargers never had to give a transaction message up.
    given_up = [
        (i, c.action, c.payload)
        for i, ch in run.chargers.items()
        for c in ch.calls
        if c.transactional and not c.answered
    ]
    assert given_up == []
