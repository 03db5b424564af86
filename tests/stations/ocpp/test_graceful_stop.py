"""A server told to stop (SIGTERM) answers what it took, says "service restart", logs it all.

A real `manage.py serve` (one worker: each worker of `--workers N` stops the same way when
its parent forwards the SIGTERM), 1.6 and 2.0.1 chargers sending Heartbeats and
StatusNotifications back to back. After the SIGTERM every charger must get a close frame
with 1012 (Service Restart: reconnect at once), not a dropped connection (1006), and every
CALL it got an answer to must have both its frames in the message log: the log is flushed
once a second, so without a final flush the last second of answered frames was lost with
the process.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import time
from dataclasses import dataclass, field

import pytest
import websockets
from django.conf import settings
from django.db import connection
from django.utils import timezone

from stations.models import MessageLog
from tests.factories.stations import StationFactory
from tests.ocpp_client import raw_socket
from tests.server import LiveOcppServer, start_server

pytestmark = pytest.mark.asyncio

SERVICE_RESTART = 1012
ABNORMAL_CLOSURE = 1006  # no close frame: the TCP connection was dropped
# The chargers of each version, and how long they send before the stop.
CHARGERS_PER_VERSION = 2
LOAD_BEFORE_STOP = 1.0
# The stop is bounded (stations/ocpp/graceful_stop.py): well within this.
STOP_TIMEOUT = 15


@dataclass
class Charger:
    identity: str
    version: str
    answered: list[str] = field(default_factory=list)
    close_code: int | None = None

    def calls(self) -> itertools.cycle[tuple[str, dict[str, object]]]:
        if self.version == "ocpp1.6":
            status = {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
        else:
            status = {
                "timestamp": timezone.now().isoformat(),
                "connectorStatus": "Available",
                "evseId": 1,
                "connectorId": 1,
            }
        return itertools.cycle([("Heartbeat", {}), ("StatusNotification", status)])


async def _send_until_closed(server: LiveOcppServer, charger: Charger, sending: asyncio.Event):
    async with raw_socket(server, charger.identity, subprotocols=(charger.version,)) as ws:
        try:
            for n, (action, payload) in enumerate(charger.calls()):
                message_id = f"{charger.identity}-{n}"
                await ws.send(json.dumps([2, message_id, action, payload]))
                answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert answer[:2] == [3, message_id], answer
                charger.answered.append(message_id)
                sending.set()
        except websockets.ConnectionClosed as closed:
            charger.close_code = closed.rcvd.code if closed.rcvd else ABNORMAL_CLOSURE


async def test_a_stopped_server_closes_with_1012_and_logs_every_answered_call(transactional_db):
    chargers = [
        Charger(identity=f"GS{version[4:].replace('.', '')}-{n}", version=version)
        for version in ("ocpp1.6", "ocpp2.0.1")
        for n in range(CHARGERS_PER_VERSION)
    ]
    for charger in chargers:
        StationFactory(identity=charger.identity)
    server = start_server(
        database_name=connection.settings_dict["NAME"],
        channel_prefix=settings.CHANNEL_PREFIX,
        # The production default: a whole second of frames waits in the buffer.
        OCPP_MESSAGE_LOG_FLUSH_SECONDS="1",
    )
    tasks: list[asyncio.Task[None]] = []
    try:
        started = [asyncio.Event() for _ in chargers]
        tasks = [
            asyncio.create_task(_send_until_closed(server, charger, sending))
            for charger, sending in zip(chargers, started, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(s.wait() for s in started)), 30)
        await asyncio.sleep(LOAD_BEFORE_STOP)
        server.process.send_signal(signal.SIGTERM)
        stop_sent = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*tasks), STOP_TIMEOUT)
        assert await asyncio.to_thread(server.process.wait, STOP_TIMEOUT) == 0
        stopped_in = time.monotonic() - stop_sent
    finally:
        for task in tasks:
            task.cancel()
        if server.process.poll() is None:
            server.process.kill()
    log = server.log_text()
    assert {c.identity: c.close_code for c in chargers} == {
        c.identity: SERVICE_RESTART for c in chargers
    }, log[-3000:]
    assert stopped_in < STOP_TIMEOUT
    assert "Task was destroyed but it is pending" not in log
    try:
        for charger in chargers:
            logged = set(
                MessageLog.objects.filter(
                    station_identity=charger.identity, message_id__in=charger.answered
                ).values_list("message_id", "direction")
            )
            assert charger.answered, charger.identity
            missing = [
                (message_id, direction)
                for message_id in charger.answered
                for direction in MessageLog.Direction.values
                if (message_id, direction) not in logged
            ]
            assert missing == [], (charger.identity, len(charger.answered))
    finally:
        connection.close()
