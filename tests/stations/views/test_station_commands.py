"""The station page's remote commands panel: each command's form (valid, refused field, offline
outcome), who may send, the panel by OCPP version, and commands answered by real chargers
over real sockets through the view."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call_result as result201

from stations import selectors
from stations.exceptions import CommandInvalid, CommandTimeout
from stations.forms import commands as command_forms
from stations.models import (
    ChargingProfile,
    Command,
    Connector,
    DisplayMessage,
    Evse,
    FirmwareFile,
    Station,
    Transaction,
)
from stations.services.commands import adapters
from stations.views.operator import station_commands as views
from tests.factories.accounts import IdTokenFactory
from tests.factories.reservations import ReservationFactory
from tests.factories.stations import StationFactory
from tests.ocpp_client import booted

IDENTITY = "CP.CMD-1"
HTMX = {"HTTP_HX_REQUEST": "true"}
LATER = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
EARLIER = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def url(name: str, identity: str = IDENTITY) -> str:
    return reverse("operator:station_command", args=[identity, name])


def make_station(version: str, identity: str = IDENTITY):
    station = StationFactory(identity=identity, ocpp_version=version)
    for evse_id in (1, 2):
        Connector.objects.create(
            evse=Evse.objects.create(station=station, evse_id=evse_id), connector_id=1
        )
    Transaction.objects.create(
        station=station,
        evse=station.evses.get(evse_id=1),
        transaction_id="42",
        id_tag="TAG-RUNNING",
        started_at=timezone.now(),
    )
    ReservationFactory(
        station=station, reservation_id=777 if identity == IDENTITY else 778, evse_id=2
    )
    ChargingProfile.objects.create(
        station=station,
        evse_id=1,
        profile_id=5,
        stack_level=0,
        purpose="TxDefaultProfile",
        kind="Absolute",
        payload={},
        origin=ChargingProfile.Origin.SET,
        state=ChargingProfile.State.INSTALLED,
    )
    if version != "1.6":
        DisplayMessage.objects.create(
            station=station,
            message_id=3,
            priority="NormalCycle",
            format="UTF8",
            content="Welcome",
            status=DisplayMessage.Status.SET,
        )
    return station


@pytest.fixture
def firmware(db):
    return FirmwareFile.objects.create(name="ACME", version="2.0", file="firmware/acme-2.0.bin")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# (command, version, valid form data, OCPP action, payload items expected, a refused form
# data, the field its error is on)
CASES = [
    (
        "remote-start",
        "1.6",
        {"id_token": "TAG-1", "evse_id": "2"},
        "RemoteStartTransaction",
        {"idTag": "TAG-1", "connectorId": 2},
        {"id_token": "X" * 21},
        "id_token",
    ),
    (
        "remote-start",
        "2.0.1",
        {"id_token": "TAG-1", "evse_id": ""},
        "RequestStartTransaction",
        {"idToken": {"idToken": "TAG-1", "type": "Central"}},
        {"id_token": "", "evse_id": "9"},
        "evse_id",
    ),
    (
        "remote-stop",
        "1.6",
        {"transaction_id": "42"},
        "RemoteStopTransaction",
        {"transactionId": 42},
        {"transaction_id": "41"},
        "transaction_id",
    ),
    (
        "reserve-now",
        "1.6",
        {"id_token": "TAG-1", "expires_at": LATER, "evse_id": "1"},
        "ReserveNow",
        {"idTag": "TAG-1", "connectorId": 1},
        {"id_token": "TAG-1", "expires_at": EARLIER},
        "expires_at",
    ),
    (
        "cancel-reservation",
        "2.0.1",
        {"reservation_id": "777"},
        "CancelReservation",
        {"reservationId": 777},
        {"reservation_id": "778"},
        "reservation_id",
    ),
    (
        "get-transaction-status",
        "2.0.1",
        {"transaction_id": "42"},
        "GetTransactionStatus",
        {"transactionId": "42"},
        {"transaction_id": "nope"},
        "transaction_id",
    ),
    (
        "request-battery-swap",
        "2.1",
        {"id_token": "TAG-1"},
        "RequestBatterySwap",
        {"idToken": {"idToken": "TAG-1", "type": "Central"}},
        {"id_token": ""},
        "id_token",
    ),
    ("reset", "1.6", {"mode": "hard"}, "Reset", {"type": "Hard"}, {"mode": "now"}, "mode"),
    ("reset", "2.0.1", {"mode": "now"}, "Reset", {"type": "Immediate"}, {}, "mode"),
    (
        "change-availability",
        "2.0.1",
        {"evse_id": "1", "connector_id": "1", "operative": "no"},
        "ChangeAvailability",
        {"operationalStatus": "Inoperative", "evse": {"id": 1, "connectorId": 1}},
        {"evse_id": "", "connector_id": "1", "operative": "no"},
        "evse_id",
    ),
    (
        "change-availability",
        "1.6",
        {"evse_id": "", "operative": "yes"},
        "ChangeAvailability",
        {"connectorId": 0, "type": "Operative"},
        {"operative": "maybe"},
        "operative",
    ),
    (
        "unlock-connector",
        "2.0.1",
        {"evse_id": "2", "connector_id": "1"},
        "UnlockConnector",
        {"evseId": 2, "connectorId": 1},
        {"evse_id": "2"},
        "connector_id",
    ),
    (
        "trigger-message",
        "1.6",
        {"message": "Heartbeat", "evse_id": ""},
        "TriggerMessage",
        {"requestedMessage": "Heartbeat"},
        {"message": "TransactionEvent"},
        "message",
    ),
    (
        "data-transfer",
        "2.0.1",
        {"vendor_id": "com.acme", "message_id": "Ping", "data": '{"a": 1}', "data_is_json": "on"},
        "DataTransfer",
        {"vendorId": "com.acme", "messageId": "Ping", "data": {"a": 1}},
        {"vendor_id": "com.acme", "data": "{nope", "data_is_json": "on"},
        "data",
    ),
    ("clear-cache", "1.6", {}, "ClearCache", {}, None, None),
    (
        "send-local-list",
        "1.6",
        {"update_type": "Full"},
        "SendLocalList",
        {"updateType": "Full"},
        {"update_type": "Everything"},
        "update_type",
    ),
    ("get-local-list-version", "2.1", {}, "GetLocalListVersion", {}, None, None),
    (
        "set-charging-profile",
        "1.6",
        {"evse_id": "0", "purpose": "ChargingStationMaxProfile", "limit": "16.5"}
        | {"rate_unit": "A", "minutes": "30", "stack_level": "1"},
        "SetChargingProfile",
        {"connectorId": 0},
        {"evse_id": "0", "purpose": "TxProfile", "limit": "16.55", "rate_unit": "A"}
        | {"stack_level": "0"},
        "limit",
    ),
    (
        "clear-charging-profile",
        "2.0.1",
        {"profile_id": "5", "evse_id": "", "purpose": ""},
        "ClearChargingProfile",
        {"chargingProfileId": 5},
        {"profile_id": "6"},
        "profile_id",
    ),
    (
        "get-composite-schedule",
        "2.0.1",
        {"evse_id": "1", "minutes": "60", "rate_unit": "W"},
        "GetCompositeSchedule",
        {"evseId": 1, "duration": 3600, "chargingRateUnit": "W"},
        {"evse_id": "1", "minutes": "0"},
        "minutes",
    ),
    (
        "get-diagnostics",
        "1.6",
        {"start_time": EARLIER, "stop_time": LATER},
        "GetDiagnostics",
        {},
        {"start_time": LATER, "stop_time": EARLIER},
        "stop_time",
    ),
    (
        "get-log",
        "2.0.1",
        {"log_type": "SecurityLog"},
        "GetLog",
        {"logType": "SecurityLog"},
        {"log_type": "AllLogs"},
        "log_type",
    ),
    (
        "get-base-report",
        "2.0.1",
        {"report_base": "SummaryInventory"},
        "GetBaseReport",
        {"reportBase": "SummaryInventory"},
        {"report_base": "Everything"},
        "report_base",
    ),
    (
        "set-display-message",
        "2.0.1",
        {"content": "Closed at 22:00", "priority": "InFront", "language": "en"},
        "SetDisplayMessage",
        {},
        {"content": "x" * 513, "priority": "InFront"},
        "content",
    ),
    (
        "clear-display-message",
        "2.1",
        {"message_id": "3"},
        "ClearDisplayMessage",
        {"id": 3},
        {"message_id": "4"},
        "message_id",
    ),
]
IDS = [f"{case[0]}-{case[1]}" for case in CASES]


@pytest.mark.parametrize(
    ("name", "version", "data", "action", "payload", "_b", "_f"), CASES, ids=IDS
)
def test_a_valid_form_sends_the_command_and_shows_the_offline_outcome(
    operator, name, version, data, action, payload, _b, _f
):
    station = make_station(version)
    response = client_for(operator).post(url(name), data, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="badge offline"' in body
    assert str(views.OFFLINE) in body
    command = Command.objects.get(station=station)
    assert command.action == action
    assert command.state == Command.State.OFFLINE
    assert command.payload.items() >= payload.items()
    assert (command.actor, command.actor_label) == (operator, "operator")
    # The form comes back out of band, without errors.
    assert f'id="command-form-{name}"' in body
    assert 'hx-swap-oob="true"' in body


@pytest.mark.parametrize(
    ("name", "version", "_d", "_a", "_p", "bad", "field"),
    [case for case in CASES if case[5] is not None],
    ids=[i for i, case in zip(IDS, CASES, strict=True) if case[5] is not None],
)
def test_a_refused_field_comes_back_in_place_with_its_error(
    operator, name, version, _d, _a, _p, bad, field
):
    make_station(version)
    response = client_for(operator).post(url(name), bad, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#command-form-{name}"
    assert response["HX-Reswap"] == "outerHTML"
    form = response.context["form"]
    assert field in form.errors, form.errors
    body = response.content.decode()
    assert 'class="field has-error"' in body
    assert f'id="id_{name}_{field}"' in body
    assert not Command.objects.exists()


def test_the_v16_id_token_limit_is_explained(operator):
    make_station("1.6")
    response = client_for(operator).post(url("remote-start"), {"id_token": "X" * 21}, **HTMX)
    message = command_forms.ID_TOKEN_TOO_LONG.format(version="1.6", limit=20)
    assert response.context["form"].errors["id_token"] == [message]


def test_update_firmware_sends_the_uploaded_file(operator, firmware):
    station = make_station("2.0.1")
    response = client_for(operator).post(
        url("update-firmware"), {"firmware_id": str(firmware.pk), "retries": "2"}, **HTMX
    )
    assert 'class="badge offline"' in response.content.decode()
    command = Command.objects.get(station=station)
    assert command.action == "UpdateFirmware"
    assert command.payload["retries"] == 2
    refused = client_for(operator).post(url("update-firmware"), {"firmware_id": "0"}, **HTMX)
    assert "firmware_id" in refused.context["form"].errors


def test_a_refusal_by_the_service_lands_on_the_field_it_names(operator, monkeypatch):
    make_station("2.0.1")

    def refuse(*, station_id, caller, **kwargs):
        raise CommandInvalid("idToken.idToken must be shorter", field="id_token")

    monkeypatch.setattr(
        command_forms, "spec_for", lambda name: SimpleNamespace(service=refuse, versions={"2.0.1"})
    )
    response = client_for(operator).post(url("remote-start"), {"id_token": "TAG"}, **HTMX)
    assert response.context["form"].errors["id_token"] == ["idToken.idToken must be shorter"]

    def refuse_all(*, station_id, caller, **kwargs):
        raise CommandInvalid("Not for this station.")

    monkeypatch.setattr(
        command_forms,
        "spec_for",
        lambda name: SimpleNamespace(service=refuse_all, versions={"2.0.1"}),
    )
    response = client_for(operator).post(url("remote-start"), {"id_token": "TAG"}, **HTMX)
    assert response.context["form"].non_field_errors() == ["Not for this station."]
    assert "Not for this station." in response.content.decode()


def test_a_timeout_is_shown_in_place(operator, monkeypatch):
    make_station("1.6")

    def silent(*, station_id, caller, **kwargs):
        raise CommandTimeout("The station did not answer in time.")

    monkeypatch.setattr(
        command_forms, "spec_for", lambda name: SimpleNamespace(service=silent, versions={"1.6"})
    )
    response = client_for(operator).post(url("reset"), {"mode": "soft"}, **HTMX)
    body = response.content.decode()
    assert '<span class="badge timed_out">Timed out</span>' in body
    assert str(views.TIMED_OUT) in body


def test_an_answer_without_a_status_shows_what_the_station_said(operator, monkeypatch):
    station = make_station("1.6")
    command = Command.objects.create(
        station=station,
        action="GetLocalListVersion",
        payload={},
        state=Command.State.ANSWERED,
        response={"listVersion": 12},
    )

    def answered(*, station_id, caller, **kwargs):
        return SimpleNamespace(command=command, version=12)

    monkeypatch.setattr(
        command_forms, "spec_for", lambda name: SimpleNamespace(service=answered, versions={"1.6"})
    )
    response = client_for(operator).post(url("get-local-list-version"), {}, **HTMX)
    body = response.content.decode()
    assert '<span class="badge answered">Answered</span>' in body
    assert "<dt>List version</dt><dd>12</dd>" in body


# --- without JavaScript ----------------------------------------------------------------------


def test_without_htmx_the_outcome_is_a_message_on_the_station_page(operator):
    make_station("1.6")
    client = client_for(operator)
    response = client.post(url("reset"), {"mode": "soft"})
    assert response.status_code == 302
    assert response["Location"] == reverse("operator:station_detail", args=[IDENTITY])
    page = client.get(response["Location"])
    shown = [str(message) for message in page.context["messages"]]
    assert shown == [f"Reset: Station offline. {views.OFFLINE}"]


def test_without_htmx_a_refused_form_is_shown_on_its_own_page(operator):
    make_station("1.6")
    response = client_for(operator).post(url("reserve-now"), {"id_token": "TAG"})
    assert response.status_code == 200
    assert response.templates[0].name == views.FORM_PAGE
    assert "expires_at" in response.context["form"].errors
    assert "<title>Reserve now · CP.CMD-1" in response.content.decode()
    assert client_for(operator).get(url("reserve-now")).status_code == 200


# --- who may send ----------------------------------------------------------------------------

NAMES = sorted(command_forms.FORMS)


@pytest.mark.parametrize("name", NAMES)
def test_a_viewer_is_refused(viewer, name):
    make_station("2.1")
    assert client_for(viewer).post(url(name), {}, **HTMX).status_code == 403
    assert client_for(viewer).get(url(name)).status_code == 403
    assert not Command.objects.exists()


@pytest.mark.parametrize("name", NAMES)
def test_an_operator_of_another_site_does_not_find_the_station(other_site_operator, name):
    make_station("2.1")
    assert client_for(other_site_operator).post(url(name), {}, **HTMX).status_code == 404
    assert not Command.objects.exists()


def test_a_driver_and_nobody_are_refused(driver):
    make_station("1.6")
    assert client_for(driver).post(url("reset"), {"mode": "soft"}).status_code == 403
    anonymous = Client().post(url("reset"), {"mode": "soft"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))


def test_an_admin_may_send(admin):
    make_station("1.6")
    response = client_for(admin).post(url("clear-cache"), {}, **HTMX)
    assert 'class="badge offline"' in response.content.decode()


def test_a_command_the_version_does_not_offer_is_not_found(operator):
    make_station("1.6")
    client = client_for(operator)
    assert client.post(url("get-base-report"), {}, **HTMX).status_code == 404
    assert client.post(url("request-battery-swap"), {}, **HTMX).status_code == 404
    assert client.post(url("no-such-command"), {}, **HTMX).status_code == 404
    make_station("2.0.1", identity="CP.CMD-2")
    assert client.post(url("get-diagnostics", "CP.CMD-2"), {}, **HTMX).status_code == 404


# --- the panel -------------------------------------------------------------------------------


def panel(user, identity: str = IDENTITY) -> str:
    request = RequestFactory().get("/")
    request.user = user
    station = selectors.station_for(user=user, identity=identity)
    return render_to_string(
        "operator/stations/commands_panel.html",
        {"station": station, "can_command": selectors.can_command(user=user, station=station)},
        request=request,
    )


@pytest.mark.parametrize(
    ("version", "shown", "hidden"),
    [
        ("1.6", {"get-diagnostics", "remote-start"}, {"get-base-report", "request-battery-swap"}),
        ("2.0.1", {"get-base-report", "set-display-message"}, {"get-diagnostics"}),
        ("2.1", {"request-battery-swap", "get-transaction-status"}, {"get-diagnostics"}),
    ],
)
def test_the_panel_offers_the_commands_of_the_station_version(operator, version, shown, hidden):
    make_station(version)
    html = panel(operator)
    for name in shown:
        assert f'id="command-form-{name}"' in html
    for name in hidden:
        assert f'id="command-form-{name}"' not in html


def test_the_panel_lists_the_station_choices(operator):
    make_station("2.0.1")
    html = panel(operator)
    assert "#42 · EVSE 1 · TAG-RUNNING" in html
    assert "777 for RES-TAG" in html
    assert "Welcome" in html
    triggers = adapters.traits("2.0.1").trigger_messages
    assert all(f'value="{trigger}"' in html for trigger in triggers)
    assert 'value="DiagnosticsStatusNotification"' not in html


def test_a_viewer_sees_the_panel_without_forms(viewer):
    make_station("1.6")
    html = panel(viewer)
    assert "Remote commands" in html
    assert "reading only" in html
    assert "<form" not in html


def test_the_panel_reads_a_fixed_number_of_queries(operator, django_assert_max_num_queries):
    make_station("2.1")
    for n in range(30):
        IdTokenFactory(id_token=f"TOKEN-{n}")
        FirmwareFile.objects.create(name=f"FW {n}", file=f"firmware/{n}.bin")
    for n in range(10):
        Transaction.objects.create(
            station=Station.objects.get(identity=IDENTITY),
            transaction_id=f"T{n}",
            started_at=timezone.now(),
        )
    panel(operator)  # warm the spec registry and the templates
    # The station and its EVSEs (3), the role check (1), then one query per list the forms
    # offer (sessions, reservations, profiles, next profile id, display messages, firmware).
    with django_assert_max_num_queries(10):
        html = panel(operator)
    assert html.count('<option value="T') >= 10


def test_id_tokens_are_suggested_as_typed(operator, viewer):
    make_station("1.6")
    IdTokenFactory(id_token="FLEET-001", label="Van 1")
    IdTokenFactory(id_token="OTHER")
    search = reverse("operator:station_command_id_tokens", args=[IDENTITY])
    response = client_for(operator).get(search, {"id_token": "flee"})
    assert response.content.decode().strip() == '<option value="FLEET-001">Van 1</option>'
    assert client_for(operator).get(search, {"id_token": ""}).content.decode().strip() == ""
    assert client_for(viewer).get(search, {"id_token": "flee"}).status_code == 403


# --- real chargers over real sockets, through the view ---------------------------------------


class Charger16(Client16):
    @on("RemoteStartTransaction")
    async def on_remote_start(self, id_tag, **kwargs):
        return result16.RemoteStartTransaction(status="Accepted")


class Charger201(Client201):
    @on("Reset")
    async def on_reset(self, type, **kwargs):
        return result201.Reset(status="Rejected")


@contextlib.asynccontextmanager
async def connected(server, identity, client_class, subprotocol):
    async with booted(server, identity, subprotocol=subprotocol, client_class=client_class) as cp:
        yield cp


async def post(user, name: str, data: dict, identity: str):
    client = await asyncio.to_thread(client_for, user)
    return await asyncio.to_thread(client.post, url(name, identity), data, **HTMX)


@pytest.mark.asyncio
async def test_a_16_charger_accepts_a_remote_start_from_the_panel(server, operator):
    station = StationFactory(identity="CP.CMD-LIVE-16")
    async with connected(server, station.identity, Charger16, "ocpp1.6"):
        response = await post(operator, "remote-start", {"id_token": "TAG-9"}, station.identity)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<span class="badge accepted">Accepted</span>' in body
    command = Command.objects.get(station=station)
    assert (command.action, command.state) == ("RemoteStartTransaction", Command.State.ANSWERED)
    assert command.payload == {"idTag": "TAG-9"}


@pytest.mark.asyncio
async def test_a_2_0_1_charger_rejects_a_reset_from_the_panel(server, operator):
    station = StationFactory(identity="CP.CMD-LIVE-201")
    async with connected(server, station.identity, Charger201, "ocpp2.0.1"):
        response = await post(operator, "reset", {"mode": "idle"}, station.identity)
    body = response.content.decode()
    assert '<span class="badge rejected">Rejected</span>' in body
    assert str(views.REJECTED) in body
    assert Command.objects.get(station=station).payload == {"type": "OnIdle"}


@pytest.mark.asyncio
async def test_a_callerror_is_shown_with_its_code_and_description(server, operator):
    station = StationFactory(identity="CP.CMD-LIVE-ERR")
    # The package's client has no UnlockConnector handler: it answers CALLERROR NotImplemented.
    async with connected(server, station.identity, Client16, "ocpp1.6"):
        response = await post(operator, "unlock-connector", {"evse_id": "1"}, station.identity)
    body = response.content.decode()
    command = Command.objects.get(station=station)
    assert command.state == Command.State.CALL_ERROR
    assert '<span class="badge call_error">CALLERROR NotImplemented</span>' in body
    assert command.error_description
    assert command.error_description in body
