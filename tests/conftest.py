"""Shared fixtures: a real ASGI server per test worker, real PostgreSQL and Redis."""

from __future__ import annotations

import os

# Tests drive the ORM from async test bodies; the server under test is another process.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402

from tests.factories.accounts import IdTokenFactory  # noqa: E402
from tests.factories.stations import StationFactory  # noqa: E402
from tests.server import LiveOcppServer, start_server  # noqa: E402


@pytest.fixture(scope="session")
def live_server_process(django_db_setup, django_db_blocker, worker_id):  # noqa: ANN001
    """The back office served by `manage.py serve` on a free loopback port, on the test DB."""
    from django.db import connection

    server = start_server(
        database_name=connection.settings_dict["NAME"], channel_prefix=f"test-{worker_id}"
    )
    yield server
    server.stop()


@pytest.fixture
def server(live_server_process: LiveOcppServer, transactional_db) -> LiveOcppServer:  # noqa: ANN001
    """The live server, with the test's data committed so the server process sees it."""
    return live_server_process


@pytest.fixture
def station(transactional_db):  # noqa: ANN001, ANN201
    return StationFactory(identity="CP-TEST-1")


@pytest.fixture
def id_token(transactional_db):  # noqa: ANN001, ANN201
    return IdTokenFactory(id_token="TAG-ACCEPTED")
