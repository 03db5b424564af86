"""The Django admin of stations and accounts, as a superuser sees it."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from backoffice.accounts.models import DriverProfile, IdToken
from backoffice.lib import firmware_signing
from backoffice.portal.models import DriverSession, Notification
from reservations.models import Reservation
from stations.models import (
    BatterySwapEvent,
    CertificateAuthority,
    ChargingProfile,
    Command,
    Component,
    Connector,
    CustomerInformationRequest,
    DataTransferRecord,
    DeviceEvent,
    DeviceModelReport,
    DeviceReportRequest,
    DisplayMessage,
    Evse,
    FirmwareFile,
    InstalledCertificate,
    IssuedCertificate,
    LocalAuthList,
    MessageLog,
    MeterValue,
    MonitoringReportRequest,
    SecurityEvent,
    Site,
    Station,
    StationConnection,
    StationJob,
    StationReport,
    StatusEvent,
    Transaction,
    TransactionEvent,
    Variable,
    VariableAttribute,
    VariableMonitor,
    Worker,
)
from stations.models.v21 import DefaultTariff, DerControl, DerControlReport, PeriodicEventStream
from stations.services.security import station_auth
from tests.factories.accounts import IdTokenFactory, UserFactory
from tests.factories.stations import SiteFactory, StationFactory
from tests.stations.firmware_signing_fixtures import FIRMWARE_BYTES, signing_material

pytestmark = pytest.mark.django_db

APPS = {"stations", "accounts", "reservations", "portal"}
STRONG_PASSWORD = "kV3x-9qTz_R7mwP2@LbN"
EVIDENCE = [
    Connector,
    StatusEvent,
    Transaction,
    MeterValue,
    DataTransferRecord,
    StationJob,
    SecurityEvent,
    MessageLog,
    Worker,
    StationConnection,
    Component,
    Variable,
    VariableAttribute,
    VariableMonitor,
    DeviceModelReport,
    DeviceEvent,
    TransactionEvent,
    StationReport,
    BatterySwapEvent,
    Command,
    LocalAuthList,
    DeviceReportRequest,
    CertificateAuthority,
    IssuedCertificate,
    InstalledCertificate,
    DerControl,
    DerControlReport,
    DefaultTariff,
    PeriodicEventStream,
    ChargingProfile,
    Reservation,
    DisplayMessage,
    MonitoringReportRequest,
    CustomerInformationRequest,
]


def registered_models() -> list[type[Model]]:
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label in APPS),
        key=lambda model: model._meta.label,
    )


def one_of_each() -> dict[type[Model], Model]:
    """One saved object of every model the two apps register in the admin."""
    now = timezone.now()
    station = StationFactory()
    evse = Evse.objects.create(station=station, evse_id=1)
    connector = Connector.objects.create(evse=evse, connector_id=1, status="Available")
    transaction = Transaction.objects.create(
        station=station, evse=evse, connector=connector, transaction_id="1", started_at=now
    )
    worker = Worker.objects.create(name="host:1:abc", started_at=now, beat_at=now)
    component = Component.objects.create(station=station, name="EVSE", evse_id=1)
    variable = Variable.objects.create(
        component=component, name="Power", unit="W", data_type="decimal", max_limit=22000
    )
    id_token = IdTokenFactory()
    return {
        Site: station.site,
        Station: station,
        Evse: evse,
        Connector: connector,
        StatusEvent: StatusEvent.objects.create(station=station, status="Available", timestamp=now),
        Transaction: transaction,
        MeterValue: MeterValue.objects.create(
            station=station,
            transaction=transaction,
            evse_id=1,
            connector_id=1,
            timestamp=now,
            sampled_values=[{"value": "1.5", "measurand": "Energy.Active.Import.Register"}],
            dedup_key="k1",
        ),
        DataTransferRecord: DataTransferRecord.objects.create(
            station=station, vendor_id="ACME", response_status="Accepted"
        ),
        StationJob: StationJob.objects.create(
            station=station, kind=StationJob.Kind.FIRMWARE, status="Downloaded"
        ),
        SecurityEvent: SecurityEvent.objects.create(
            station=station, type="StartupOfTheDevice", timestamp=now
        ),
        MessageLog: MessageLog.objects.create(
            station_identity=station.identity,
            direction=MessageLog.Direction.IN,
            message_type=2,
            message_id="m1",
            action="Heartbeat",
            frame='[2,"m1","Heartbeat",{}]',
            created_at=now,
        ),
        Worker: worker,
        StationConnection: StationConnection.objects.create(
            station=station,
            worker=worker,
            channel_name="specific.abc!def",
            ocpp_version="1.6",
            connected_at=now,
        ),
        Component: component,
        Variable: variable,
        VariableAttribute: VariableAttribute.objects.create(
            variable=variable, value="11000", mutability="ReadOnly"
        ),
        VariableMonitor: VariableMonitor.objects.create(
            variable=variable, monitor_id=1, value=20000, type="UpperThreshold", severity=4
        ),
        DeviceModelReport: DeviceModelReport.objects.create(
            station=station, action="NotifyReport", request_id=1, seq_no=0, generated_at=now
        ),
        DeviceEvent: DeviceEvent.objects.create(
            station=station,
            event_id=1,
            timestamp=now,
            trigger="Alerting",
            event_notification_type="HardWiredMonitor",
            component={"name": "EVSE", "evse": {"id": 1}},
            variable={"name": "Power"},
            actual_value="23000",
        ),
        IdToken: id_token,
        # A file name only: nothing is written under MEDIA_ROOT.
        FirmwareFile: FirmwareFile.objects.create(
            name="ACME firmware", version="1.2.3", file="firmware/acme-1.2.3.bin"
        ),
        TransactionEvent: TransactionEvent.objects.create(
            transaction=transaction,
            seq_no=0,
            event_type="Started",
            trigger_reason="Authorized",
            timestamp=now,
        ),
        StationReport: StationReport.objects.create(
            station=station, action="NotifyChargingLimit", payload={"charging_limit": {}}
        ),
        Command: Command.objects.create(
            station=station,
            action="Reset",
            payload={"type": "Soft"},
            state="answered",
            result_status="Accepted",
            actor_label="test",
        ),
        BatterySwapEvent: BatterySwapEvent.objects.create(
            station=station,
            event_type="BatteryIn",
            request_id=1,
            id_tag="TAG",
            battery_data=[{"evse_id": 1, "serial_number": "B1", "so_c": 80, "so_h": 95}],
        ),
        LocalAuthList: local_auth_list(station, id_token),
        DeviceReportRequest: DeviceReportRequest.objects.create(
            station=station, request_id=7, report_base="FullInventory", status="Accepted"
        ),
        **certificate_records(station),
        **v21_records(station),
        **smart_charging_records(station, transaction),
        **v2x_records(station),
    }


def local_auth_list(station: Station, token: IdToken) -> LocalAuthList:
    local_list = LocalAuthList.objects.create(station=station, version=2, last_status="Accepted")
    local_list.entries.create(id_token=token, id_tag=token.id_token, sent_info={"s": 1})
    return local_list


def smart_charging_records(station: Station, transaction: Transaction) -> dict[type[Model], Model]:
    return {
        ChargingProfile: ChargingProfile.objects.create(
            station=station,
            evse_id=0,
            profile_id=7,
            stack_level=0,
            purpose="ChargingStationMaxProfile",
            kind="Absolute",
            payload={"id": 7},
            origin="set",
            state="installed",
        ),
        Reservation: Reservation.objects.create(
            station=station,
            evse_id=1,
            id_tag="TAG",
            expires_at=timezone.now(),
            reservation_id=42,
            status="used",
            transaction=transaction,
        ),
        **driver_records(station, transaction),
    }


def driver_records(station: Station, transaction: Transaction) -> dict[type[Model], Model]:
    driver = UserFactory(username="admin-test-driver")
    driver_session = DriverSession.objects.create(
        user=driver, station=station, evse_id=1, id_tag="TAG", transaction=transaction
    )
    return {
        DriverProfile: DriverProfile.objects.create(user=driver),
        DriverSession: driver_session,
        Notification: Notification.objects.create(
            user=driver, kind="session_started", driver_session=driver_session, title="Started"
        ),
    }


def certificate_records(station: Station) -> dict[type[Model], Model]:
    now = timezone.now()
    authority = CertificateAuthority.objects.create(
        common_name="Test CA",
        certificate_pem="-",
        private_key_pem="-",
        serial_number="1",
        not_after=now,
    )
    issued = IssuedCertificate.objects.create(
        station=station,
        authority=authority,
        certificate_type="charging_station",
        serial_number="2",
        subject=f"CN={station.identity}",
        not_before=now,
        not_after=now,
        certificate_pem="-",
    )
    installed = InstalledCertificate.objects.create(
        station=station,
        certificate_type="csms_root",
        hash_algorithm="SHA256",
        issuer_name_hash="ab",
        issuer_key_hash="cd",
        serial_number="3",
    )
    return {
        CertificateAuthority: authority,
        IssuedCertificate: issued,
        InstalledCertificate: installed,
    }


def v2x_records(station: Station) -> dict[type[Model], Model]:
    return {
        DisplayMessage: DisplayMessage.objects.create(
            station=station,
            message_id=1,
            priority="NormalCycle",
            format="UTF8",
            content="Welcome",
            status=DisplayMessage.Status.SET,
        ),
        MonitoringReportRequest: MonitoringReportRequest.objects.create(
            station=station, request_id=1, status="Accepted"
        ),
        CustomerInformationRequest: CustomerInformationRequest.objects.create(
            station=station, request_id=1, report=True, customer_identifier="C-1"
        ),
    }


def v21_records(station: Station) -> dict[type[Model], Model]:
    return {
        DerControl: DerControl.objects.create(
            station=station,
            control_id="lmd-1",
            control_type="LimitMaxDischarge",
            is_default=True,
            setting={"priority": 1, "pctMaxDischargePower": 50.0},
        ),
        DerControlReport: DerControlReport.objects.create(
            station=station, request_id=9, controls=[{"kind": "gradient", "id": "g-1"}], pages=1
        ),
        DefaultTariff: DefaultTariff.objects.create(
            station=station,
            evse_id=0,
            tariff_id="D-1",
            currency="EUR",
            tariff={"tariffId": "D-1", "currency": "EUR"},
        ),
        PeriodicEventStream: PeriodicEventStream.objects.create(
            station=station, stream_id=4, variable_monitoring_id=12, opened_at=timezone.now()
        ),
    }


def admin_url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_registered_model_has_an_object_in_this_test():
    # A newly registered model must be added to one_of_each(), or it goes untested.
    assert set(registered_models()) == {
        *EVIDENCE,
        Site,
        Station,
        Evse,
        IdToken,
        FirmwareFile,
        DriverProfile,
        DriverSession,
        Notification,
    }


def test_a_superuser_opens_every_changelist_and_change_page(admin_client):
    objects = one_of_each()
    for model in registered_models():
        changelist = admin_client.get(admin_url(model, "changelist"))
        assert changelist.status_code == 200, model
        assert changelist.context["cl"].result_count == 1, model
        change = admin_client.get(admin_url(model, "change", objects[model].pk))
        assert change.status_code == 200, model


def test_the_changelists_search_and_filter(admin_client):
    objects = one_of_each()
    for model in registered_models():
        model_admin = admin.site._registry[model]
        if model_admin.search_fields:
            response = admin_client.get(admin_url(model, "changelist"), {"q": "no-such-thing"})
            assert response.status_code == 200, model
            assert response.context["cl"].result_count == 0, model
    log = objects[MessageLog]
    response = admin_client.get(admin_url(MessageLog, "changelist"), {"q": log.station_identity})
    assert list(response.context["cl"].result_list) == [log]


@pytest.mark.parametrize("model", EVIDENCE, ids=lambda model: model.__name__)
def test_evidence_cannot_be_added_changed_or_deleted(admin_client, model):
    obj = one_of_each()[model]
    assert admin_client.get(admin_url(model, "add")).status_code == 403
    assert admin_client.post(admin_url(model, "add"), {}).status_code == 403
    view = admin_client.get(admin_url(model, "change", obj.pk))
    assert view.status_code == 200
    assert view.context["has_change_permission"] is False
    assert b'name="_save"' not in view.content
    assert admin_client.post(admin_url(model, "change", obj.pk), {}).status_code == 403
    assert admin_client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_the_message_log_is_listed_without_counting_every_row(admin_client):
    one_of_each()
    response = admin_client.get(admin_url(MessageLog, "changelist"))
    assert response.context["cl"].show_full_result_count is False


# --- the station form ------------------------------------------------------------------------


def station_form(**overrides: str) -> dict[str, str]:
    data = {
        "identity": "CP-ADMIN-1",
        "name": "",
        "site": "",
        "is_active": "on",
        "registration_status": Station.Registration.ACCEPTED,
        "security_profile": str(Station.SecurityProfile.BASIC),
        "new_password": "",
        "evses-TOTAL_FORMS": "0",
        "evses-INITIAL_FORMS": "0",
        "evses-MIN_NUM_FORMS": "0",
        "evses-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_a_new_password_is_stored_as_a_hash(admin_client):
    response = admin_client.post(
        admin_url(Station, "add"), station_form(new_password=STRONG_PASSWORD)
    )
    assert response.status_code == 302
    station = Station.objects.get(identity="CP-ADMIN-1")
    assert STRONG_PASSWORD not in station.password_hash
    assert station_auth.check_password(STRONG_PASSWORD, station.password_hash)


def test_saving_without_a_new_password_keeps_the_old_one(admin_client):
    station = StationFactory(site=SiteFactory())
    hash_before = station.password_hash
    response = admin_client.post(
        admin_url(Station, "change", station.pk),
        station_form(identity=station.identity, name="Renamed", site=str(station.site_id)),
    )
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.name == "Renamed"
    assert station.password_hash == hash_before


@pytest.mark.parametrize("action", ["add", "change"])
def test_a_generated_password_is_shown_once_and_stored_as_a_hash(admin_client, action):
    if action == "add":
        url = admin_url(Station, "add")
    else:
        url = admin_url(Station, "change", StationFactory(identity="CP-ADMIN-1").pk)
    response = admin_client.post(url, station_form(generate_password="on"))
    # Shown in the answer to the save itself, not through a message (a cookie) after a redirect.
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = re.search(r'<code id="station-password">(\S+)</code>', response.content.decode())[1]
    assert 16 <= len(password) <= 40
    station = Station.objects.get(identity="CP-ADMIN-1")
    assert station_auth.check_password(password, station.password_hash)
    assert all(password not in morsel.value for morsel in admin_client.cookies.values())
    session = Session.objects.get(session_key=admin_client.cookies["sessionid"].value)
    assert password not in str(session.get_decoded())
    again = admin_client.get(admin_url(Station, "change", station.pk))
    assert again.status_code == 200
    assert password.encode() not in again.content


@pytest.mark.parametrize(
    "password",
    [pytest.param("p" * 15, id="15 chars"), pytest.param("p" * 41, id="41 chars")],
)
def test_a_password_outside_16_to_40_chars_is_rejected(admin_client, password):
    response = admin_client.post(admin_url(Station, "add"), station_form(new_password=password))
    assert response.status_code == 200
    assert "new_password" in response.context["adminform"].form.errors
    assert not Station.objects.filter(identity="CP-ADMIN-1").exists()


def test_a_random_password_of_16_chars_is_accepted(admin_client):
    password = "q7Rm2xK9vT4pZ8wN"
    response = admin_client.post(admin_url(Station, "add"), station_form(new_password=password))
    assert response.status_code == 302
    station = Station.objects.get(identity="CP-ADMIN-1")
    assert station_auth.check_password(password, station.password_hash)


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaaaaaa", "abcdefghijklmnop", "Password12345678", "correct-horse-battery-staple-42"],
)
def test_a_guessable_password_is_rejected(admin_client, password):
    response = admin_client.post(admin_url(Station, "add"), station_form(new_password=password))
    assert response.status_code == 200
    assert "new_password" in response.context["adminform"].form.errors
    assert not Station.objects.filter(identity="CP-ADMIN-1").exists()


@pytest.mark.parametrize("identity", ["CP:1", "CP/1"])
def test_a_station_id_with_a_colon_or_slash_is_rejected(admin_client, identity):
    response = admin_client.post(admin_url(Station, "add"), station_form(identity=identity))
    assert response.status_code == 200
    assert "identity" in response.context["adminform"].form.errors
    assert not Station.objects.filter(identity=identity).exists()


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("accept_stations", Station.Registration.ACCEPTED),
        ("reject_stations", Station.Registration.REJECTED),
    ],
)
def test_the_registration_actions_change_the_selected_stations_only(admin_client, action, status):
    chosen = [StationFactory(registration_status=Station.Registration.PENDING) for _ in range(2)]
    other = StationFactory(registration_status=Station.Registration.PENDING)
    response = admin_client.post(
        admin_url(Station, "changelist"),
        {"action": action, "_selected_action": [str(station.pk) for station in chosen]},
    )
    assert response.status_code == 302
    for station in chosen:
        station.refresh_from_db()
        assert station.registration_status == status
    other.refresh_from_db()
    assert other.registration_status == Station.Registration.PENDING


def test_the_station_list_shows_who_is_online(admin_client):
    objects = one_of_each()
    offline = StationFactory()
    response = admin_client.get(admin_url(Station, "changelist"))
    rows = {
        station.pk: admin.site._registry[Station].online(station)
        for station in response.context["cl"].result_list
    }
    assert rows == {objects[Station].pk: True, offline.pk: False}


def test_signed_firmware_is_saved_with_its_signature_and_a_bad_one_refused(
    admin_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    signature, certificate = signing_material()
    form = {
        "name": "ACME",
        "version": "3.0",
        "signature": signature,
        "signing_certificate": certificate,
    }
    url = admin_url(FirmwareFile, "add")
    bad = admin_client.post(
        url,
        {**form, "signing_certificate": "", "file": SimpleUploadedFile("f.bin", FIRMWARE_BYTES)},
    )
    assert bad.status_code == 200
    assert firmware_signing.SIGNED_NEEDS_BOTH in bad.content.decode()
    good = admin_client.post(url, {**form, "file": SimpleUploadedFile("f.bin", FIRMWARE_BYTES)})
    assert good.status_code == 302
    saved = FirmwareFile.objects.get()
    assert saved.signed
    assert (saved.signature, saved.signing_certificate) == (signature, certificate.strip())


def test_sending_a_local_list_to_an_offline_station_says_so(admin_client):
    station = StationFactory(identity="CP-LIST")
    listed = local_auth_list(station, IdTokenFactory(id_token="LISTED"))
    response = admin_client.post(
        admin_url(LocalAuthList, "changelist"),
        {"action": "send_full", "_selected_action": [listed.pk]},
        follow=True,
    )
    assert "CP-LIST: The station is not connected." in response.content.decode()
    sent = Command.objects.get(station=station)
    assert (sent.action, sent.state, sent.actor_label) == ("SendLocalList", "offline", "admin")
    assert sent.payload["localAuthorizationList"] == [
        {"idTag": "LISTED", "idTagInfo": {"status": "Accepted"}}
    ]
    assert LocalAuthList.objects.get(pk=listed.pk).version == 2
