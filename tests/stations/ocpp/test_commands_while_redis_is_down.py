"""A command to a station held by another server process while the channel layer's Redis is
down (stopped) or frozen: closed as failed at once, and the API (503) and the operator's
command panel say so; nothing stays queued. The layer runs on a Redis of the test's own."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from stations.exceptions import StationUnreachable
from stations.models import Command
from stations.services.charging import connections
from stations.services.commands import bus
from stations.views.operator import station_commands as views
from tests.factories.stations import StationFactory
from tests.private_redis import PrivateRedis

IDENTITY = "CP-ELSEWHERE"
HTMX = {"HTTP_HX_REQUEST": "true"}
# The layer gives a frozen Redis this long (backoffice.lib.channel_layer.SEND_TIMEOUT), plus
# the rest of the request.
FAILS_WITHIN = 4.0


@pytest.fixture
def redis_server(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def layer_on(settings, redis_server):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "backoffice.lib.channel_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": redis_server.url, "socket_timeout": 30}]},
        }
    }
    return redis_server


@pytest.fixture
def held_elsewhere(transactional_db):
    """A station whose socket another server process holds (its registry row)."""
    station = StationFactory(identity=IDENTITY, ocpp_version="1.6")
    connections.register(
        station_id=station.pk,
        channel_name="specific.otherprocess!socket",
        ocpp_version="1.6",
        opened_at=timezone.now(),
    )
    return station


@pytest.fixture(params=["stopped", "frozen"])
def redis_down(request, layer_on):
    if request.param == "stopped":
        layer_on.stop()
    else:
        layer_on.pause()
    yield request.param
    layer_on.resume()


def assert_failed(command: Command) -> None:
    command.refresh_from_db()
    assert command.state == Command.State.FAILED
    assert command.finished_at is not None
    assert command.error_description == bus.UNREACHABLE


def test_the_api_answers_503_with_the_failed_command(held_elsewhere, operator, redis_down):
    client = APIClient()
    client.force_authenticate(operator)
    asked = time.monotonic()
    response = client.post(
        f"/api/v1/stations/{IDENTITY}/commands/reset/", {"hard": False}, format="json"
    )
    assert time.monotonic() - asked < FAILS_WITHIN
    assert response.status_code == 503
    body = response.json()
    assert body["detail"] == bus.UNREACHABLE
    assert body["command"]["state"] == "failed"
    assert_failed(Command.objects.get(pk=body["command"]["id"]))


def test_the_operator_panel_says_the_command_was_not_sent(held_elsewhere, operator, redis_down):
    client = Client()
    client.force_login(operator)
    response = client.post(
        reverse("operator:station_command", args=[IDENTITY, "reset"]), {"mode": "soft"}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="badge unreachable"' in body
    assert escape(str(views.UNREACHABLE)) in body
    assert_failed(Command.objects.get(station=held_elsewhere))


def test_a_dispatched_command_is_closed_too(held_elsewhere, redis_down):
    with pytest.raises(StationUnreachable) as refused:
        bus.dispatch(station_id=held_elsewhere.pk, action="Reset", payload={"type": "Soft"})
    assert_failed(refused.value.command)
    assert not Command.objects.filter(state=Command.State.QUEUED).exists()
