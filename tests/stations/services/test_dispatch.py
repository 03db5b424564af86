"""`commands.dispatch` / `remote.request_remote_stop`: sending without waiting, against an
offline station (what the bus records and raises; the live path is tested with a real charger
in tests/backoffice/portal/services/test_limit_stop_without_waiting.py)."""

from __future__ import annotations

import pytest

from backoffice.audit.models import AuditEvent
from stations.exceptions import CommandInvalid
from stations.models import Command
from stations.services.commands import bus as commands
from stations.services.commands import remote
from stations.services.commands.bus import Caller
from tests.commands import sent

pytestmark = pytest.mark.django_db


def test_a_remote_stop_request_is_recorded_like_a_remote_stop(v16, v21):
    stop16 = sent(remote.request_remote_stop, station_id=v16.pk, transaction_id=42)
    stop21 = sent(
        remote.request_remote_stop,
        station_id=v21.pk,
        transaction_id="TX-1",
        caller=Caller(label="limits"),
    )
    assert (stop16.action, stop16.payload) == ("RemoteStopTransaction", {"transactionId": 42})
    assert (stop21.action, stop21.payload) == ("RequestStopTransaction", {"transactionId": "TX-1"})
    assert stop21.actor_label == "limits"
    assert AuditEvent.objects.filter(action="stations.command.RemoteStopTransaction").exists()


def test_a_payload_the_station_cannot_take_is_refused_and_not_recorded(v16):
    with pytest.raises(CommandInvalid):
        commands.dispatch(
            station_id=v16.pk, action="RemoteStopTransaction", payload={"transactionId": "x"}
        )
    assert not Command.objects.exists()


def test_commands_with_secrets_must_be_waited_for(v16):
    # Their secrets are masked once answered, by the caller that waits (`send`).
    with pytest.raises(CommandInvalid):
        commands.dispatch(
            station_id=v16.pk,
            action="ChangeConfiguration",
            payload={"key": "AuthorizationKey", "value": "0123456789abcdef"},
        )
    assert not Command.objects.exists()
