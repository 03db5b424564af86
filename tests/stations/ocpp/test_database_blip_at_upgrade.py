"""The database unreachable at the upgrade: the charger is told to retry (HTTP 503), not 500.

The server under test reaches PostgreSQL through a TCP relay the test owns, so the outage is
this server's alone: cutting the relay drops its open database connections and refuses new
ones, as a database restart or a network blip would. The machine's PostgreSQL keeps running.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading

import environ
import pytest

from tests.factories.stations import STATION_PASSWORD, StationFactory
from tests.ocpp_client import basic_auth, exchange, raw_socket
from tests.server import start_server

from .test_v16_handshake import refusal_status

pytestmark = pytest.mark.asyncio


class Relay:
    """Forwards loopback TCP connections to `target`; `cut()` and `restore()` the route."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._up = True
        self._stopped = False
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def cut(self) -> None:
        """Drop every relayed connection and refuse new ones until `restore()`."""
        with self._lock:
            self._up = False
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def restore(self) -> None:
        with self._lock:
            self._up = True

    def stop(self) -> None:
        self._stopped = True
        self.cut()
        self._thread.join()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            with self._lock:
                if not self._up:
                    client.close()
                    continue
                upstream = socket.create_connection(self.target)
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture(scope="module")
def relay():
    database = environ.Env.db_url_config(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backoffice")
    )
    relay = Relay((database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)))
    yield relay
    relay.stop()


@pytest.fixture(scope="module")
def relayed_server(django_db_setup, django_db_blocker, worker_id, relay):
    """A server of its own on the test database, reaching it through the relay."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    server = start_server(
        database_name=name,
        channel_prefix=f"test-{worker_id}-blip",
        DATABASE_URL=f"postgres://{connection.settings_dict['USER'] or 'postgres'}"
        f"@127.0.0.1:{relay.port}/{name}",
    )
    yield server
    relay.restore()
    server.stop()


async def test_an_upgrade_during_a_database_outage_gets_503_and_succeeds_after(
    relayed_server, relay, transactional_db
):
    station = StationFactory()
    async with raw_socket(relayed_server, station.identity) as ws:
        assert (await exchange(ws, [2, "hb", "Heartbeat", {}]))[:2] == [3, "hb"]
    relay.cut()
    try:
        # Once with the connections the server held (dropped), once opening new (refused).
        for _ in range(2):
            headers = basic_auth(station.identity, STATION_PASSWORD)
            assert await refusal_status(relayed_server.ws_url(station.identity), headers) == 503
    finally:
        relay.restore()
    assert "ocpp.upgrade_refused_database_unavailable" in relayed_server.log_text()
    # The charger's retry once the database is back is served.
    async with raw_socket(relayed_server, station.identity) as ws:
        assert (await exchange(ws, [2, "hb", "Heartbeat", {}]))[:2] == [3, "hb"]
