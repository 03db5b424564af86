"""Shared fixtures: a real ASGI server per test worker, real PostgreSQL and Redis."""

from __future__ import annotations

import os

# Tests drive the ORM from async test bodies; the server under test is another process.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest

from tests.factories.accounts import IdTokenFactory, StaffProfileFactory, UserFactory
from tests.factories.stations import SiteFactory, StationFactory
from tests.server import LiveOcppServer, start_server

# The shared assertion helpers report their failures as a test module's would.
pytest.register_assert_rewrite("tests.commands")


@pytest.fixture(scope="session", autouse=True)
def _redis_is_up() -> None:
    """Redis is part of the suite's contract: fail loudly, never skip, when it is down."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Counts in the shared cache (failed logins, sign-in limits) start at zero in every test.

    Only this run's keys go (CACHE_KEY_PREFIX is per test database): cache.clear() would flush
    the whole Redis database, other runs' channel layers with it.
    """
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"{settings.CACHE_KEY_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(scope="session")
def live_server_process(django_db_setup, django_db_blocker, worker_id):
    """The back office served by `manage.py serve` on a free loopback port, on the test DB."""
    from django.conf import settings
    from django.db import connection

    server = start_server(
        database_name=connection.settings_dict["NAME"], channel_prefix=settings.CHANNEL_PREFIX
    )
    yield server
    server.stop()


@pytest.fixture
def server(live_server_process: LiveOcppServer, transactional_db) -> LiveOcppServer:
    """The live server, with the test's data committed so the server process sees it."""
    return live_server_process


@pytest.fixture
def station(transactional_db):
    return StationFactory(identity="CP-TEST-1")


@pytest.fixture
def id_token(transactional_db):
    return IdTokenFactory(id_token="TAG-ACCEPTED")


# --- the cast (STYLE 25): every scoped page and API is tried by an outsider too --------------


@pytest.fixture
def admin(db):
    """An admin by role (not a superuser): every site, every action."""
    return StaffProfileFactory(user__username="admin-by-role", role="admin").user


@pytest.fixture
def operator(db):
    """An operator of every site."""
    return StaffProfileFactory(user__username="operator", role="operator").user


@pytest.fixture
def viewer(db):
    """Read-only staff of every site."""
    return StaffProfileFactory(user__username="viewer", role="viewer").user


@pytest.fixture
def other_site_operator(db):
    """An operator limited to a site of its own: an outsider to every other site's stations."""
    site = SiteFactory(name="Other site")
    return StaffProfileFactory(user__username="other-site-operator", sites=[site]).user


@pytest.fixture
def driver(db):
    """A user without staff access, owner of the id token DRIVER-TAG."""
    user = UserFactory(username="driver")
    IdTokenFactory(id_token="DRIVER-TAG", user=user)
    return user


@pytest.fixture
def other_driver(db):
    user = UserFactory(username="other-driver")
    IdTokenFactory(id_token="OTHER-DRIVER-TAG", user=user)
    return user
