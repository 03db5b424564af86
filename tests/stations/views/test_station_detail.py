"""A station's detail page: what it shows to whom, its live fragments, inline configuration
edits with their outcome in place, and the "station.frames" event behind the live log."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from decimal import Decimal as D

import pytest
import websockets
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from ocpp.v16 import call as call16

from stations.exceptions import CommandInvalid, CommandTimeout
from stations.models import (
    Command,
    Connector,
    Evse,
    MessageLog,
    MeterValue,
    SecurityEvent,
    StationJob,
    Transaction,
    VariableAttribute,
)
from stations.ocpp.v201 import device_convert
from stations.services.commands import remote
from stations.services.commands.requests import ConfigurationValue
from stations.services.device import device_model
from tests.factories.stations import StationFactory
from tests.ocpp_client import booted, eventually

IDENTITY = "CP.DETAIL-1"
DETAIL = reverse("operator:station_detail", args=[IDENTITY])
CHANGE = reverse("operator:station_configuration_change", args=[IDENTITY])
READ = reverse("operator:station_configuration_read", args=[IDENTITY])
# What htmx sends with its requests: the answer is the fragment, not a redirect.
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def station(db):
    now = timezone.now()
    station = StationFactory(
        identity=IDENTITY,
        vendor="Acme",
        model="Volt 22",
        serial_number="SN-123",
        firmware_version="4.2.1",
        ocpp_version="1.6",
        last_boot_at=now - timedelta(hours=2),
        last_boot_reason="PowerUp",
    )
    charging = Connector.objects.create(
        evse=Evse.objects.create(station=station, evse_id=1), connector_id=1, status="Charging"
    )
    Connector.objects.create(
        evse=Evse.objects.create(station=station, evse_id=2), connector_id=1, status="Faulted"
    )
    tx = Transaction.objects.create(
        station=station,
        evse=charging.evse,
        connector=charging,
        transaction_id="4711",
        id_tag="TAG-1",
        started_at=now - timedelta(minutes=30),
        meter_start_wh=D("1000"),
    )
    for minutes, value, unit in ((20, "2000", "Wh"), (10, "3.5", "kWh")):
        MeterValue.objects.create(
            station=station,
            transaction=tx,
            evse_id=1,
            connector_id=1,
            timestamp=now - timedelta(minutes=minutes),
            sampled_values=[
                {"value": "7000", "measurand": "Power.Active.Import", "unit": "W"},
                {"value": value, "unit": unit},
            ],
            dedup_key=f"k{minutes}",
        )
    device_model.store_v16_configuration(
        station_id=station.pk,
        keys=[
            ConfigurationValue("HeartbeatInterval", "300"),
            ConfigurationValue("NumberOfConnectors", "2", read_only=True),
        ],
    )
    Command.objects.create(
        station=station,
        action="Reset",
        payload={"type": "Soft"},
        state=Command.State.ANSWERED,
        result_status="Accepted",
        actor_label="api-client",
    )
    StationJob.objects.create(
        station=station,
        kind=StationJob.Kind.DIAGNOSTICS,
        status="Uploaded",
        file_name="diag.zip",
        file="station-uploads/diag.zip",
    )
    SecurityEvent.objects.create(station=station, type="FirmwareUpdated", timestamp=now)
    for action in ("BootNotification", "Heartbeat"):
        MessageLog.objects.create(
            station_identity=IDENTITY,
            direction="in",
            message_type=2,
            message_id=f"m-{action}",
            action=action,
            frame=f'[2,"m-{action}","{action}",{{}}]',
            created_at=now,
        )
    MessageLog.objects.create(
        station_identity="CP-OTHER",
        direction="in",
        action="DataTransfer",
        frame='[2,"x","DataTransfer",{}]',
        created_at=now,
    )
    return station


def _variable(station, key: str):
    return VariableAttribute.objects.get(
        variable__component__station=station, variable__name=key
    ).variable


# --- who sees what ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_needs_staff_and_hides_other_sites(client, station, driver, other_site_operator):
    assert client.get(DETAIL).status_code == 302
    client.force_login(driver)
    assert client.get(DETAIL).status_code == 403
    client.force_login(other_site_operator)
    for url in (
        DETAIL,
        reverse("operator:station_status", args=[IDENTITY]),
        reverse("operator:station_frames", args=[IDENTITY]),
        reverse("operator:station_history", args=[IDENTITY]),
        reverse("operator:station_configuration", args=[IDENTITY]),
    ):
        assert client.get(url).status_code == 404, url
    variable = _variable(station, "HeartbeatInterval")
    assert client.post(CHANGE, {"variable": variable.pk, "value": "60"}, **HTMX).status_code == 404
    assert client.post(READ, **HTMX).status_code == 404


@pytest.mark.django_db
def test_an_unknown_identity_is_not_found(client, operator):
    client.force_login(operator)
    assert client.get(reverse("operator:station_detail", args=["NOPE"])).status_code == 404


@pytest.mark.django_db
def test_a_viewer_sees_everything_but_no_edit_controls(client, station, viewer):
    client.force_login(viewer)
    response = client.get(DETAIL)
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["can_command"] is False
    assert "Volt 22" in page
    assert "HeartbeatInterval" in page
    assert CHANGE not in page
    assert READ not in page
    variable = _variable(station, "HeartbeatInterval")
    assert client.post(CHANGE, {"variable": variable.pk, "value": "60"}, **HTMX).status_code == 403
    assert client.post(READ, **HTMX).status_code == 403
    assert not Command.objects.filter(action="ChangeConfiguration").exists()
    # Uploaded diagnostics may hold credentials: a viewer sees the job, not a download link.
    job = StationJob.objects.get()
    assert job.file_name in page
    assert reverse("stations:job_download", args=[job.pk]) not in page


@pytest.mark.django_db
def test_it_shows_identity_connectors_session_history_jobs_events_and_frames(
    client, station, operator
):
    client.force_login(operator)
    response = client.get(DETAIL)
    page = response.content.decode()
    assert f"<title>{IDENTITY}" in page
    for fact in ("Acme", "Volt 22", "SN-123", "4.2.1", "1.6", "HTTP Basic", "PowerUp"):
        assert fact in page, fact
    assert 'id="station-presence">offline' in page
    assert 'data-testid="connector-status">Charging' in page
    assert 'data-testid="connector-status">Faulted' in page
    # Energy so far: the newest register (3.5 kWh) minus the start (1000 Wh).
    assert "2.500 kWh" in page
    tx = Transaction.objects.get()
    assert f"/sessions/{tx.pk}/" in page
    assert "Reset" in page
    assert "api-client" in page
    job = StationJob.objects.get()
    assert reverse("stations:job_download", args=[job.pk]) in page
    assert "FirmwareUpdated" in page
    assert "m-BootNotification" in page
    assert "m-Heartbeat" in page
    assert "DataTransfer" not in page
    # Editable keys get a form, read-only ones do not.
    heartbeat = _variable(station, "HeartbeatInterval")
    connectors = _variable(station, "NumberOfConnectors")
    assert f'id="config-value-{heartbeat.pk}"' in page
    assert f'id="config-value-{connectors.pk}"' not in page
    # The remote commands panel is on the page (its context: station and can_command).
    assert 'id="commands-panel"' in page
    assert response.context["can_command"] is True
    assert f'data-live="station:{station.pk}"' in page


@pytest.mark.django_db
def test_the_page_and_its_fragments_take_a_fixed_number_of_queries(
    client, station, operator, django_assert_max_num_queries
):
    Command.objects.bulk_create(
        Command(station=station, action="Heartbeat", payload={}) for _ in range(60)
    )
    client.force_login(operator)
    # Session, user, profile, station, EVSEs, connectors, can_command, sessions, variables (2),
    # commands, jobs, security events, frames: 14; the commands panel's forms about 4 more.
    with django_assert_max_num_queries(20):
        response = client.get(DETAIL)
    assert len(response.context["commands"]) == 50
    with django_assert_max_num_queries(9):
        client.get(reverse("operator:station_status", args=[IDENTITY]))


@pytest.mark.django_db
def test_the_message_log_filters_by_action(client, station, operator):
    client.force_login(operator)
    response = client.get(
        reverse("operator:station_frames", args=[IDENTITY]), {"action": "heartbeat"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="frames"')
    assert "m-Heartbeat" in body
    assert "m-BootNotification" not in body
    page = client.get(DETAIL, {"action": "BootNotification"}).content.decode()
    assert "m-BootNotification" in page
    assert "m-Heartbeat" not in page


@pytest.mark.django_db
def test_the_status_fragment_refreshes_on_the_stations_events(client, station, operator):
    client.force_login(operator)
    Connector.objects.filter(evse__evse_id=2).update(status="Available")
    body = client.get(reverse("operator:station_status", args=[IDENTITY])).content.decode()
    assert body.lstrip().startswith('<div id="station-status"')
    assert f"live:station:{station.pk}" in body
    assert 'data-testid="connector-status">Available' in body


# --- inline configuration edits --------------------------------------------------------------


@pytest.mark.django_db
def test_an_offline_station_is_said_offline_in_place(client, station, operator):
    client.force_login(operator)
    variable = _variable(station, "HeartbeatInterval")
    response = client.post(CHANGE, {"variable": variable.pk, "value": "60"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="config-{variable.pk}"')
    assert "outcome-offline" in body
    command = Command.objects.get(action="ChangeConfiguration")
    assert command.payload == {"key": "HeartbeatInterval", "value": "60"}
    assert command.actor == operator


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        ("Accepted", "outcome-accepted"),
        ("RebootRequired", "outcome-reboot_required"),
        ("Rejected", "outcome-rejected"),
        ("NotSupported", "outcome-not_supported"),
    ],
)
def test_the_stations_answer_is_shown_in_place(
    client, station, operator, monkeypatch, answer, outcome
):
    def answered(*, station_id, key, value, caller):
        command = Command.objects.create(
            station_id=station_id,
            action="ChangeConfiguration",
            payload={"key": key, "value": value},
            state=Command.State.ANSWERED,
            result_status=answer,
            actor=caller.user,
        )
        return remote.CommandResult(command, answer)

    monkeypatch.setattr(remote, "change_configuration", answered)
    client.force_login(operator)
    variable = _variable(station, "HeartbeatInterval")
    body = client.post(CHANGE, {"variable": variable.pk, "value": "60"}, **HTMX).content.decode()
    assert outcome in body


@pytest.mark.django_db
def test_a_timeout_is_shown_in_place(client, station, operator, monkeypatch):
    def silent(**kwargs):
        raise CommandTimeout("No answer in time.")

    monkeypatch.setattr(remote, "change_configuration", silent)
    client.force_login(operator)
    variable = _variable(station, "HeartbeatInterval")
    body = client.post(CHANGE, {"variable": variable.pk, "value": "60"}, **HTMX).content.decode()
    assert "outcome-timed_out" in body


@pytest.mark.django_db
def test_an_invalid_value_is_an_error_next_to_the_field(client, station, operator, monkeypatch):
    def invalid(**kwargs):
        raise CommandInvalid("value: too long", field="value")

    monkeypatch.setattr(remote, "change_configuration", invalid)
    client.force_login(operator)
    variable = _variable(station, "HeartbeatInterval")
    response = client.post(CHANGE, {"variable": variable.pk, "value": "x" * 600}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 422
    assert f'id="config-error-{variable.pk}">value: too long' in body
    assert 'aria-invalid="true"' in body


@pytest.mark.django_db
def test_read_only_and_foreign_values_cannot_be_changed(client, station, operator):
    client.force_login(operator)
    read_only = _variable(station, "NumberOfConnectors")
    response = client.post(CHANGE, {"variable": read_only.pk, "value": "4"}, **HTMX)
    assert response.status_code == 422
    other = StationFactory(identity="CP-OTHER-2")
    device_model.store_v16_configuration(
        station_id=other.pk, keys=[ConfigurationValue("HeartbeatInterval", "1")]
    )
    foreign = _variable(other, "HeartbeatInterval")
    response = client.post(CHANGE, {"variable": foreign.pk, "value": "4"}, **HTMX)
    assert response.status_code == 422
    assert "not known for this station" in response.content.decode()
    assert not Command.objects.filter(action="ChangeConfiguration").exists()


@pytest.mark.django_db
def test_a_2x_variable_is_changed_as_component_and_variable(client, operator):
    station = StationFactory(identity="CP-2X", ocpp_version="2.0.1")
    device_model.store_report(
        station_id=station.pk,
        request_id=1,
        seq_no=0,
        tbc=False,
        generated_at=timezone.now(),
        report_data=device_convert.reported_variables(
            [
                {
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                    "variable_attribute": [{"value": "60", "mutability": "ReadWrite"}],
                },
                {
                    "component": {"name": "Connector", "evse": {"id": 1, "connector_id": 1}},
                    "variable": {"name": "Enabled"},
                    "variable_attribute": [{"value": "true", "mutability": "ReadWrite"}],
                },
            ]
        ),
    )
    client.force_login(operator)
    page = client.get(reverse("operator:station_detail", args=["CP-2X"])).content.decode()
    heartbeat = _variable(station, "HeartbeatInterval")
    enabled = _variable(station, "Enabled")
    assert f'id="config-value-{heartbeat.pk}"' in page
    # SetVariables by "Component/Variable" cannot name an EVSE: shown, not editable here.
    assert f'id="config-value-{enabled.pk}"' not in page
    url = reverse("operator:station_configuration_change", args=["CP-2X"])
    body = client.post(url, {"variable": heartbeat.pk, "value": "30"}, **HTMX).content.decode()
    assert "outcome-offline" in body
    command = Command.objects.get(action="SetVariables")
    assert command.payload["setVariableData"][0]["component"] == {"name": "OCPPCommCtrlr"}


@pytest.mark.django_db
def test_reading_from_an_offline_station_says_so(client, station, operator):
    client.force_login(operator)
    response = client.post(READ, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="configuration"')
    assert "outcome-offline" in body
    assert Command.objects.filter(action="GetConfiguration").exists()


@pytest.mark.django_db
def test_reading_a_2x_station_asks_for_its_base_report(client, operator):
    StationFactory(identity="CP-2X-READ", ocpp_version="2.1")
    client.force_login(operator)
    client.post(reverse("operator:station_configuration_read", args=["CP-2X-READ"]), **HTMX)
    assert Command.objects.get().action == "GetBaseReport"


# --- the live message log --------------------------------------------------------------------


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.mark.asyncio
async def test_a_chargers_frames_produce_a_station_frames_event(server, operator):
    station = StationFactory(identity="CP.FRAMES-1")
    async with websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/live/",
        additional_headers={
            "Origin": server.http_url,
            "Cookie": f"sessionid={_session_cookie(operator)}",
        },
        open_timeout=10,
    ) as ws:
        await ws.send(json.dumps({"watch": [f"station:{station.pk}"]}))
        await asyncio.wait_for(ws.recv(), 10)
        async with booted(server, station.identity) as cp:
            await cp.call(call16.Heartbeat())
            events: list[dict] = []
            deadline = asyncio.get_running_loop().time() + 10
            while {"kind": "station.frames", "station": station.pk} not in events:
                remaining = deadline - asyncio.get_running_loop().time()
                events += json.loads(await asyncio.wait_for(ws.recv(), remaining))["events"]
    # The first event may come from the boot's flush, before the Heartbeat's batch is written.
    assert await eventually(
        MessageLog.objects.filter(station_identity="CP.FRAMES-1", action="Heartbeat").exists
    )


@pytest.mark.django_db
def test_without_javascript_a_change_comes_back_to_the_page_with_its_outcome(
    client, station, operator
):
    client.force_login(operator)
    variable = _variable(station, "HeartbeatInterval")
    response = client.post(CHANGE, {"variable": variable.pk, "value": "60"}, follow=True)
    assert response.redirect_chain == [(f"{DETAIL}#configuration", 302)]
    assert "Offline: the station is not connected" in response.content.decode()


@pytest.mark.django_db
def test_it_shows_the_security_profile(client, operator):
    StationFactory(identity="CP-MTLS", security_profile=3)
    client.force_login(operator)
    html = client.get(reverse("operator:station_detail", args=["CP-MTLS"])).content.decode()
    assert "<dd>3: TLS with a client certificate</dd>" in html
