"""`manage.py mask_stored_secrets`: credentials an older version kept in clear (names in another
case, values stations reported) are masked in every place, and nothing else is touched."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from backoffice.audit.models import AuditEvent
from stations.models import Command, Component, DeviceEvent, MessageLog, Variable, VariableAttribute
from stations.services.commands.command_secrets import MASK
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db
SECRET = "s3cret-0123456789"


def attribute(station, component: str, variable: str, value: str) -> VariableAttribute:
    owner = Component.objects.create(station=station, name=component, instance="Main", evse_id=1)
    return VariableAttribute.objects.create(
        variable=Variable.objects.create(component=owner, name=variable), value=value
    )


def test_every_secret_kept_in_clear_is_masked_once_and_nothing_else():
    station = StationFactory()
    secret_16 = attribute(station, "OCPP16", "authorizationkey", SECRET)
    secret_2x = attribute(station, "securityctrlr", "BASICAUTHPASSWORD", SECRET)
    plain = attribute(station, "OCPPCommCtrlr", "HeartbeatInterval", "300")
    event = DeviceEvent.objects.create(
        station=station,
        event_id=1,
        timestamp=timezone.now(),
        trigger="Delta",
        event_notification_type="HardWiredNotification",
        component={"name": "SecurityCtrlr"},
        variable={"name": "basicauthpassword"},
        actual_value=SECRET,
    )
    change = {"key": "AUTHORIZATIONKEY", "value": SECRET}
    command = Command.objects.create(station=station, action="ChangeConfiguration", payload=change)
    read = Command.objects.create(
        station=station,
        action="GetConfiguration",
        payload={},
        response={"configurationKey": [{"key": "authorizationKey", "value": SECRET}]},
    )
    reset = Command.objects.create(station=station, action="Reset", payload={"type": "Soft"})
    audit = AuditEvent.objects.create(
        action="stations.command.ChangeConfiguration", data={"payload": change}
    )
    frame = MessageLog.objects.create(
        station_identity=station.identity,
        direction="out",
        frame=json.dumps([2, "m1", "ChangeConfiguration", change]),
        created_at=timezone.now(),
    )
    heartbeat = MessageLog.objects.create(
        station_identity=station.identity,
        direction="in",
        frame='[2,"m2","Heartbeat",{}]',
        created_at=timezone.now(),
    )

    out = io.StringIO()
    call_command("mask_stored_secrets", stdout=out)

    for row in (secret_16, secret_2x, plain, event, command, read, reset, audit, frame, heartbeat):
        row.refresh_from_db()
    assert (secret_16.value, secret_2x.value, plain.value) == (MASK, MASK, "300")
    assert event.actual_value == MASK
    assert command.payload == {"key": "AUTHORIZATIONKEY", "value": MASK}
    assert read.response == {"configurationKey": [{"key": "authorizationKey", "value": MASK}]}
    assert reset.payload == {"type": "Soft"}
    assert audit.data == {"payload": {"key": "AUTHORIZATIONKEY", "value": MASK}}
    assert SECRET not in frame.frame and MASK in frame.frame
    assert heartbeat.frame == '[2,"m2","Heartbeat",{}]'
    assert "device model values: 2 masked" in out.getvalue()
    assert "message log frames: 1 masked" in out.getvalue()

    again = io.StringIO()
    call_command("mask_stored_secrets", stdout=again)
    assert again.getvalue().count(": 0 masked") == 5
