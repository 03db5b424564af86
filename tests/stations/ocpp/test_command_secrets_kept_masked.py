"""A credential sent to a real station reaches it whole and is kept masked everywhere else."""

from __future__ import annotations

import asyncio

import pytest
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result

from backoffice.audit.models import AuditEvent
from stations.exceptions import StationNotConnected
from stations.models import Command, MessageLog, VariableAttribute
from stations.services.commands import remote
from stations.services.commands.command_secrets import MASK
from tests.ocpp_client import booted, eventually

pytestmark = pytest.mark.asyncio
SECRET = "0123456789abcdef0123"


class KeyTakingCharger(Client16):
    received: list[str]

    @on("ChangeConfiguration")
    async def on_change_configuration(self, key, value):
        self.received.append(value)
        return call_result.ChangeConfiguration(status="Accepted")


async def test_the_station_gets_the_key_and_the_back_office_keeps_it_masked(server, station):
    charger = type("Charger", (KeyTakingCharger,), {"received": []})
    async with booted(server, station.identity, client_class=charger):
        result = await asyncio.to_thread(
            remote.change_configuration,
            station_id=station.pk,
            key="AuthorizationKey",
            value=SECRET,
        )
    assert charger.received == [SECRET]
    assert result.status == "Accepted"
    assert result.command.payload["value"] == MASK
    assert Command.objects.get(pk=result.command.pk).payload["value"] == MASK
    stored = VariableAttribute.objects.get(
        variable__component__station=station, variable__name="AuthorizationKey"
    )
    assert stored.value == MASK
    assert AuditEvent.objects.get(data__command_id=result.command.pk).data["payload"]["value"] == (
        MASK
    )
    logged = await eventually(
        lambda: MessageLog.objects.filter(
            message_id=result.command.message_id, direction="out"
        ).first()
    )
    assert SECRET not in logged.frame
    assert MASK in logged.frame


async def test_a_command_to_an_offline_station_keeps_no_secret(server, station):
    with pytest.raises(StationNotConnected) as offline:
        await asyncio.to_thread(
            remote.change_configuration,
            station_id=station.pk,
            key="AuthorizationKey",
            value=SECRET,
        )
    assert offline.value.command.payload["value"] == MASK
    assert Command.objects.get(station=station).payload["value"] == MASK
