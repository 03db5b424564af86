"""`manage.py serve --workers 2`: two processes on one port, every station served and
commandable, and the workers stop with their parent."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result

from stations.models import Command
from stations.services.commands import bus
from tests.factories.stations import StationFactory
from tests.ocpp_client import booted
from tests.server import start_server

pytestmark = pytest.mark.asyncio


class ResettingCharger(Client16):
    @on("Reset")
    async def on_reset(self, type):
        return call_result.Reset(status="Accepted")


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue  # the process ended while we looked
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


async def test_two_workers_serve_every_station_and_stop_with_their_parent(transactional_db):
    stations = [StationFactory(identity=f"CP-W{n}") for n in range(8)]
    server = start_server(
        database_name=connection.settings_dict["NAME"],
        channel_prefix=settings.CHANNEL_PREFIX,
        workers=2,
    )
    try:
        workers = _children(server.process.pid)
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
                                bus.send,
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
    assert [c.state for c in results] == [Command.State.ANSWERED] * len(stations)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
