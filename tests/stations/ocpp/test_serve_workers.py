"""`manage.py serve --workers 2`: two processes on one port, every station served and
commandable, the workers stop with their parent, and a worker that dies is replaced."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call, call_result

from stations.models import Command, Station, StationConnection
from stations.services.commands import bus
from tests.factories.stations import StationFactory
from tests.ocpp_client import booted, charger
from tests.server import child_pids, start_server

pytestmark = pytest.mark.asyncio


class ResettingCharger(Client16):
    @on("Reset")
    async def on_reset(self, type):
        return call_result.Reset(status="Accepted")


def _send_and_close(**command: Any) -> Command:
    """bus.send in a pool thread, closing the thread's database connection after it: left
    open, the test database could not be dropped at the end of the run."""
    try:
        return bus.send(**command)
    finally:
        connection.close()


async def test_two_workers_serve_every_station_and_stop_with_their_parent(transactional_db):
    stations = [StationFactory(identity=f"CP-W{n}") for n in range(8)]
    server = start_server(
        database_name=connection.settings_dict["NAME"],
        channel_prefix=settings.CHANNEL_PREFIX,
        workers=2,
    )
    try:
        workers = child_pids(server.process.pid)
        assert len(workers) == 2
        async with contextlib.AsyncExitStack() as chargers:
            for station in stations:
                await chargers.enter_async_context(
                    booted(server, station.identity, client_class=ResettingCharger)
                )
            # Own threads: the default executor is where the `ocpp` clients validate the
            # commands they receive; blocking it with waiting callers would stall them.
            loop = asyncio.get_running_loop()
            with ThreadPoolExecutor(max_workers=len(stations)) as callers:
                results = await asyncio.gather(
                    *(
                        loop.run_in_executor(
                            callers,
                            functools.partial(
                                _send_and_close,
                                station_id=station.pk,
                                action="Reset",
                                payload={"type": "Soft"},
                            ),
                        )
                        for station in stations
                    )
                )
    finally:
        server.stop()
        connection.close()  # the test body's own, as the pool threads' above
    assert [c.state for c in results] == [Command.State.ANSWERED] * len(stations)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


async def _boots_accepted(server, identity: str) -> str:
    async with charger(server, identity) as cp:
        boot = await cp.call(call.BootNotification(charge_point_vendor="A", charge_point_model="B"))
        return boot.status


def _worker_pid(station: Station) -> int:
    """The pid of the worker process holding the station's socket (WORKER_NAME host:pid:…)."""
    held = StationConnection.objects.select_related("worker").get(station=station)
    return int(held.worker.name.split(":")[1])


def _running(pid: int) -> bool:
    """Whether the process is there and not a zombie (an orphan's reaper may be slow)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


async def _until(check, *, timeout: float, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(every)


async def test_a_killed_worker_is_replaced_while_the_other_keeps_serving(transactional_db):
    held, fresh = StationFactory(identity="CP-KILLED"), StationFactory(identity="CP-FRESH")
    server = start_server(
        database_name=connection.settings_dict["NAME"],
        channel_prefix=settings.CHANNEL_PREFIX,
        workers=2,
    )
    try:
        before = set(child_pids(server.process.pid))
        assert len(before) == 2
        async with charger(server, held.identity) as cp:
            boot = await cp.call(
                call.BootNotification(charge_point_vendor="A", charge_point_model="B")
            )
            assert boot.status == "Accepted"
            victim = _worker_pid(held)
            assert victim in before
            os.kill(victim, signal.SIGKILL)

            async def replaced() -> set[int]:
                now = set(child_pids(server.process.pid))
                return now if len(now) == 2 and victim not in now else set()

            after = await _until(replaced, timeout=15)
        assert server.process.poll() is None, server.log_text()
        assert after, server.log_text()
        assert before - after == {victim}
        # Its station reconnects at once, and a station never seen before boots too, on
        # whichever worker the kernel hands them to (the survivor or the replacement).
        assert await asyncio.wait_for(_boots_accepted(server, held.identity), 15) == "Accepted"
        assert await asyncio.wait_for(_boots_accepted(server, fresh.identity), 15) == "Accepted"
        assert f"pid={victim}" in server.log_text()
        # A parent killed outright takes its workers with it (systemd then starts it afresh).
        server.process.kill()

        async def orphans_gone() -> bool:
            return not any(_running(pid) for pid in after)

        assert await _until(orphans_gone, timeout=10)
    finally:
        server.stop()
        # The test body's own connection, or dropping the test database finds it still open.
        connection.close()
