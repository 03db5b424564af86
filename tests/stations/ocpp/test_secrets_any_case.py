"""Credentials are masked whatever the case of their OCPP names, over real sockets: in the
command row, its answer, the audit trail, the message log (both directions), the device model
and the pages a viewer sees, for what the back office sends and for what a station reports
(GetConfiguration and GetVariables answers, NotifyReport, NotifyEvent)."""

from __future__ import annotations

import asyncio

import pytest
from django.test import Client
from django.urls import reverse
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from backoffice.audit.models import AuditEvent
from stations.models import Command, DeviceEvent, MessageLog, VariableAttribute
from stations.services.commands import remote
from stations.services.commands.command_secrets import MASK
from tests.factories.accounts import StaffProfileFactory
from tests.ocpp_client import booted, eventually, in_thread

pytestmark = pytest.mark.asyncio
SECRET = "s3cret-0123456789abcdef"


class Charger16(Client16):
    key: str

    @on("ChangeConfiguration")
    async def on_change_configuration(self, key, value):
        return result16.ChangeConfiguration(status="Accepted")

    @on("GetConfiguration")
    async def on_get_configuration(self, key=None):
        return result16.GetConfiguration(
            configuration_key=[
                {"key": self.key, "readonly": False, "value": SECRET},
                {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
            ]
        )


class Charger201(Client201):
    variable: str

    @on("SetVariables")
    async def on_set_variables(self, set_variable_data):
        return result201.SetVariables(
            set_variable_result=[
                {
                    "attribute_status": "Accepted",
                    "component": i["component"],
                    "variable": i["variable"],
                }
                for i in set_variable_data
            ]
        )

    @on("GetVariables")
    async def on_get_variables(self, get_variable_data):
        return result201.GetVariables(
            get_variable_result=[
                {
                    "attribute_status": "Accepted",
                    "attribute_value": SECRET,
                    "component": item["component"],
                    "variable": item["variable"],
                }
                for item in get_variable_data
            ]
        )


def charger_class(base: type, **attrs: str) -> type:
    return type(base.__name__, (base,), attrs)


async def nothing_kept_in_clear(station, command_pk: int, shown_name: str) -> None:
    """The secret is in no command row, audit entry, log frame, device model row or page."""
    command = Command.objects.get(pk=command_pk)
    assert SECRET not in str(command.payload)
    assert SECRET not in str(command.response)
    assert SECRET not in str(list(AuditEvent.objects.values_list("data", flat=True)))
    # Both directions of the command were logged, and neither kept the secret.
    assert await eventually(
        lambda: MessageLog.objects.filter(message_id=command.message_id).count() == 2
    )
    for frame in MessageLog.objects.filter(station_identity=station.identity).values_list(
        "frame", flat=True
    ):
        assert SECRET not in frame
    assert not VariableAttribute.objects.filter(value__contains=SECRET).exists()
    assert VariableAttribute.objects.filter(
        variable__component__station=station, variable__name__iexact=shown_name, value=MASK
    ).exists()
    await pages_hide_the_secret(station, shown_name)


async def pages_hide_the_secret(station, shown_name: str) -> None:
    viewer = await asyncio.to_thread(
        StaffProfileFactory, user__username="viewer-secrets", role="viewer"
    )
    client = Client()
    await asyncio.to_thread(client.force_login, viewer.user)
    for name in ("operator:station_detail", "operator:station_frames"):
        response = await asyncio.to_thread(client.get, reverse(name, args=[station.identity]))
        assert response.status_code == 200
        assert SECRET not in response.content.decode()
    detail = await asyncio.to_thread(
        client.get, reverse("operator:station_detail", args=[station.identity])
    )
    assert shown_name in detail.content.decode()  # the row is shown, with its value masked


@pytest.mark.parametrize("key", ["authorizationkey", "AUTHORIZATIONKEY", "authorizationKey"])
async def test_a_16_key_set_in_any_case_is_kept_masked(server, station, key):
    async with booted(server, station.identity, client_class=charger_class(Charger16, key=key)):
        result = await in_thread(
            remote.change_configuration, station_id=station.pk, key=key, value=SECRET
        )
    assert result.status == "Accepted"
    await nothing_kept_in_clear(station, result.command.pk, key)


@pytest.mark.parametrize("key", ["authorizationkey", "AuthorizationKey", "AUTHORIZATIONKEY"])
async def test_a_16_key_a_station_reports_in_any_case_is_kept_masked(server, station, key):
    async with booted(server, station.identity, client_class=charger_class(Charger16, key=key)):
        result = await in_thread(remote.get_configuration, station_id=station.pk)
    assert result.values == {key: MASK, "HeartbeatInterval": "300"}
    await nothing_kept_in_clear(station, result.command.pk, key)


V2X_KEYS = [
    "securityctrlr/basicauthpassword",
    "SecurityCtrlr/BASICAUTHPASSWORD",
    "NetworkConfiguration/basicAuthPassword",
]


@pytest.mark.parametrize("key", V2X_KEYS)
async def test_a_2x_variable_set_in_any_case_is_kept_masked(server, station, key):
    station.ocpp_version = "2.0.1"
    await asyncio.to_thread(station.save)
    async with booted(server, station.identity, subprotocol="ocpp2.0.1", client_class=Charger201):
        result = await in_thread(
            remote.change_configuration, station_id=station.pk, key=key, value=SECRET
        )
    assert result.status == "Accepted"
    await nothing_kept_in_clear(station, result.command.pk, key.split("/")[1])


@pytest.mark.parametrize("key", V2X_KEYS)
async def test_a_2x_variable_a_station_reports_in_any_case_is_kept_masked(server, station, key):
    station.ocpp_version = "2.0.1"
    await asyncio.to_thread(station.save)
    async with booted(server, station.identity, subprotocol="ocpp2.0.1", client_class=Charger201):
        result = await in_thread(remote.get_configuration, station_id=station.pk, keys=[key])
    assert result.values == {key: MASK}
    await nothing_kept_in_clear(station, result.command.pk, key.split("/")[1])


async def test_a_notify_report_and_event_carrying_a_password_are_kept_masked(server, station):
    component = {"name": "securityCtrlr", "instance": "Main", "evse": {"id": 1}}
    variable = {"name": "BASICAUTHPASSWORD", "instance": "Primary"}
    async with booted(server, station.identity, subprotocol="ocpp2.0.1") as cp:
        await cp.call(
            call201.NotifyReport(
                request_id=7,
                generated_at="2026-01-05T10:00:00Z",
                seq_no=0,
                report_data=[
                    {
                        "component": component,
                        "variable": variable,
                        "variable_attribute": [
                            {"type": "Actual", "value": SECRET, "mutability": "WriteOnly"}
                        ],
                    }
                ],
            )
        )
        await cp.call(
            call201.NotifyEvent(
                generated_at="2026-01-05T10:00:01Z",
                seq_no=0,
                event_data=[
                    {
                        "event_id": 1,
                        "timestamp": "2026-01-05T10:00:01Z",
                        "trigger": "Delta",
                        "actual_value": SECRET,
                        "event_notification_type": "HardWiredNotification",
                        "component": component,
                        "variable": variable,
                    }
                ],
            )
        )
    assert (
        VariableAttribute.objects.get(
            variable__component__station=station, variable__name="BASICAUTHPASSWORD"
        ).value
        == MASK
    )
    assert DeviceEvent.objects.get(station=station).actual_value == MASK
    assert await eventually(
        lambda: (
            MessageLog.objects.filter(
                station_identity=station.identity,
                direction="in",
                action__in=["NotifyReport", "NotifyEvent"],
            ).count()
            == 2
        )
    )
    for frame in MessageLog.objects.filter(station_identity=station.identity).values_list(
        "frame", flat=True
    ):
        assert SECRET not in frame
    await pages_hide_the_secret(station, "BASICAUTHPASSWORD")
