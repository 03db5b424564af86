"""Reservations without a socket: the ReserveNow / CancelReservation each version gets, what
is refused before anything is sent, and the lifecycle (station updates, use, expiry)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from backoffice.accounts.models import IdToken
from backoffice.audit.models import AuditEvent
from reservations.models import Reservation
from reservations.services import lifecycle, reservations
from reservations.tasks import expire_reservations
from stations.exceptions import CommandInvalid, StationNotConnected
from stations.models import Command, Transaction
from stations.ocpp.v16.outbound import reservations as v16_reservations
from stations.services.commands import adapters
from stations.services.commands.requests import CancelReservation, ReserveNow
from tests.factories.accounts import IdTokenFactory
from tests.factories.reservations import ReservationFactory
from tests.factories.stations import StationFactory

pytestmark = pytest.mark.django_db

EXPIRY = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


# --- payloads --------------------------------------------------------------------------------


def test_a_16_reservation_is_on_a_connector_with_the_parent_tag():
    message = adapters.build(
        version="1.6",
        request=ReserveNow(
            reservation_id=42,
            id_token="TAG1",
            expires_at=EXPIRY,
            evse_id=2,
            group_id_token="FLEET",
        ),
    )
    assert message.action == "ReserveNow"
    assert message.payload == {
        "connectorId": 2,
        "expiryDate": "2026-01-05T12:00:00.000Z",
        "idTag": "TAG1",
        "reservationId": 42,
        "parentIdTag": "FLEET",
    }


def test_a_16_reservation_of_any_evse_is_connector_0():
    message = adapters.build(
        version="1.6", request=ReserveNow(reservation_id=42, id_token="TAG1", expires_at=EXPIRY)
    )
    assert message.payload["connectorId"] == 0
    assert "parentIdTag" not in message.payload


@pytest.mark.parametrize("version", ["2.0.1", "2.1"])
def test_a_2x_reservation_names_tokens_with_their_types(version):
    message = adapters.build(
        version=version,
        request=ReserveNow(
            reservation_id=42,
            id_token="TAG1",
            id_token_type="ISO14443",
            expires_at=EXPIRY,
            connector_type="cCCS2",
            group_id_token="FLEET",
        ),
    )
    assert message.payload == {
        "id": 42,
        "expiryDateTime": "2026-01-05T12:00:00.000Z",
        "idToken": {"idToken": "TAG1", "type": "ISO14443"},
        "connectorType": "cCCS2",
        "groupIdToken": {"idToken": "FLEET", "type": "Central"},
    }


def test_a_16_reservation_cannot_name_a_connector_type():
    with pytest.raises(CommandInvalid) as err:
        adapters.build(
            version="1.6",
            request=ReserveNow(
                reservation_id=1, id_token="T", expires_at=EXPIRY, connector_type="cType2"
            ),
        )
    assert err.value.message == v16_reservations.V16_NO_CONNECTOR_TYPE


def test_evse_0_is_not_an_evse_to_reserve():
    station = StationFactory(ocpp_version="2.0.1")
    with pytest.raises(CommandInvalid) as err:
        reservations.reserve_now(
            station_id=station.pk,
            id_token="T",
            expires_at=timezone.now() + timedelta(hours=1),
            evse_id=0,
        )
    assert err.value.message == reservations.NEGATIVE_EVSE


def test_cancel_reservation_is_the_same_in_every_version():
    for version in ("1.6", "2.0.1", "2.1"):
        message = adapters.build(version=version, request=CancelReservation(reservation_id=42))
        assert (message.action, message.payload) == ("CancelReservation", {"reservationId": 42})


# --- reserve_now against an offline station --------------------------------------------------


@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_a_reservation_for_an_offline_station_is_kept_as_not_delivered(version):
    station = StationFactory(ocpp_version=version)
    token = IdTokenFactory(id_token="TAG1", group_id_token="FLEET")
    expires_at = timezone.now() + timedelta(hours=1)
    with pytest.raises(StationNotConnected) as offline:
        reservations.reserve_now(
            station_id=station.pk, id_token="TAG1", expires_at=expires_at, evse_id=1
        )
    reservation = Reservation.objects.get()
    assert reservation.status == Reservation.Status.FAILED
    assert reservation.command == offline.value.command
    assert (reservation.id_token, reservation.group_id_tag) == (token, "FLEET")
    assert 0 < reservation.reservation_id < 2**31
    sent = offline.value.command.payload
    assert (sent.get("reservationId") or sent.get("id")) == reservation.reservation_id
    assert AuditEvent.objects.filter(
        action="reservations.create", target_id=str(reservation.pk)
    ).exists()


def test_an_unknown_token_is_reserved_as_central_without_a_token_row():
    station = StationFactory(ocpp_version="2.0.1")
    with pytest.raises(StationNotConnected) as offline:
        reservations.reserve_now(
            station_id=station.pk,
            id_token="APP-123",
            expires_at=timezone.now() + timedelta(hours=1),
        )
    assert offline.value.command.payload["idToken"] == {"idToken": "APP-123", "type": "Central"}
    reservation = Reservation.objects.get()
    assert (reservation.id_token, reservation.id_tag) == (None, "APP-123")


def test_a_known_token_is_sent_with_its_type():
    station = StationFactory(ocpp_version="2.1")
    IdTokenFactory(id_token="RFID-1", type=IdToken.Type.ISO14443)
    with pytest.raises(StationNotConnected) as offline:
        reservations.reserve_now(
            station_id=station.pk,
            id_token="RFID-1",
            expires_at=timezone.now() + timedelta(hours=1),
        )
    assert offline.value.command.payload["idToken"]["type"] == "ISO14443"


def test_a_reservation_expiring_in_the_past_is_refused_and_nothing_kept():
    station = StationFactory(ocpp_version="1.6")
    with pytest.raises(CommandInvalid) as err:
        reservations.reserve_now(
            station_id=station.pk, id_token="T", expires_at=timezone.now() - timedelta(minutes=1)
        )
    assert err.value.message == reservations.EXPIRY_IN_THE_PAST
    assert not Reservation.objects.exists()
    assert not Command.objects.exists()


def test_a_reservation_the_station_schema_refuses_leaves_nothing_behind():
    station = StationFactory(ocpp_version="1.6")
    with pytest.raises(CommandInvalid):
        # A 1.6 idTag has at most 20 characters.
        reservations.reserve_now(
            station_id=station.pk, id_token="T" * 21, expires_at=timezone.now() + timedelta(hours=1)
        )
    assert not Reservation.objects.exists()
    assert not AuditEvent.objects.filter(action="reservations.create").exists()


def test_a_16_reservation_leaves_out_a_group_too_long_for_parent_id_tag():
    station = StationFactory(ocpp_version="1.6")
    IdTokenFactory(id_token="TAG1", group_id_token="G" * 21)
    with pytest.raises(StationNotConnected) as offline:
        reservations.reserve_now(
            station_id=station.pk, id_token="TAG1", expires_at=timezone.now() + timedelta(hours=1)
        )
    assert "parentIdTag" not in offline.value.command.payload
    assert Reservation.objects.get().group_id_tag == ""


# --- cancel ----------------------------------------------------------------------------------


def test_cancelling_a_reservation_the_station_does_not_have_is_refused():
    station = StationFactory(ocpp_version="1.6")
    other = ReservationFactory()  # another station's
    with pytest.raises(CommandInvalid) as err:
        reservations.cancel(station_id=station.pk, reservation_id=other.reservation_id)
    assert err.value.message == reservations.UNKNOWN_RESERVATION
    assert not Command.objects.exists()


def test_cancelling_an_ended_reservation_is_refused():
    reservation = ReservationFactory(status=Reservation.Status.USED)
    with pytest.raises(CommandInvalid) as err:
        reservations.cancel(
            station_id=reservation.station_id, reservation_id=reservation.reservation_id
        )
    assert err.value.message == reservations.RESERVATION_NOT_ACTIVE


def test_cancelling_while_the_station_is_offline_changes_nothing():
    reservation = ReservationFactory()
    with pytest.raises(StationNotConnected):
        reservations.cancel(
            station_id=reservation.station_id, reservation_id=reservation.reservation_id
        )
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.ACCEPTED


# --- lifecycle -------------------------------------------------------------------------------


def test_the_sweep_expires_only_active_reservations_past_their_expiry():
    now = timezone.now()
    overdue = ReservationFactory(expires_at=now - timedelta(minutes=1))
    requested = ReservationFactory(
        expires_at=now - timedelta(minutes=1), status=Reservation.Status.REQUESTED
    )
    running = ReservationFactory(expires_at=now + timedelta(minutes=5))
    used = ReservationFactory(expires_at=now - timedelta(hours=1), status=Reservation.Status.USED)
    assert lifecycle.expire_overdue(now=now) == 2
    statuses = {
        r.pk: r.status for r in Reservation.objects.filter(pk__in=[overdue.pk, requested.pk])
    }
    assert set(statuses.values()) == {Reservation.Status.EXPIRED}
    running.refresh_from_db()
    used.refresh_from_db()
    assert (running.status, used.status) == (Reservation.Status.ACCEPTED, Reservation.Status.USED)
    assert lifecycle.expire_overdue(now=now) == 0


def test_the_expiry_task_runs_the_sweep_and_is_scheduled():
    ReservationFactory(expires_at=timezone.now() - timedelta(seconds=1))
    assert expire_reservations() == 1
    call_command("setup_periodic_tasks", stdout=io.StringIO())
    task = PeriodicTask.objects.get(task="reservations.tasks.expire_reservations")
    assert task.enabled and task.crontab.minute == "*"


@pytest.mark.parametrize(
    ("update", "status"),
    [
        ("Expired", Reservation.Status.EXPIRED),
        ("Removed", Reservation.Status.REMOVED),
        ("NoTransaction", Reservation.Status.NO_TRANSACTION),
    ],
)
def test_a_station_update_ends_an_active_reservation(update, status):
    reservation = ReservationFactory()
    lifecycle.station_update(
        station_id=reservation.station_id,
        reservation_id=reservation.reservation_id,
        update=update,
    )
    reservation.refresh_from_db()
    assert reservation.status == status
    assert reservation.ended_at is not None


def test_a_late_station_update_does_not_undo_a_use():
    reservation = ReservationFactory(status=Reservation.Status.USED)
    lifecycle.station_update(
        station_id=reservation.station_id,
        reservation_id=reservation.reservation_id,
        update="Expired",
    )
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.USED


def test_a_station_cannot_end_another_stations_reservation():
    reservation = ReservationFactory()
    other = StationFactory()
    assert (
        lifecycle.station_update(
            station_id=other.pk, reservation_id=reservation.reservation_id, update="Removed"
        )
        is None
    )
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.ACCEPTED


def test_a_transaction_marks_its_reservation_used_once_even_after_expiry():
    reservation = ReservationFactory(status=Reservation.Status.EXPIRED)
    tx = Transaction.objects.create(station=reservation.station, transaction_id="T-1")
    for _ in range(2):
        lifecycle.mark_used(
            station_id=reservation.station_id,
            reservation_id=reservation.reservation_id,
            transaction_pk=tx.pk,
        )
    reservation.refresh_from_db()
    assert (reservation.status, reservation.transaction) == (Reservation.Status.USED, tx)


def test_an_unknown_reservation_in_a_transaction_changes_nothing():
    station = StationFactory()
    tx = Transaction.objects.create(station=station, transaction_id="T-1")
    lifecycle.mark_used(station_id=station.pk, reservation_id=999, transaction_pk=tx.pk)
    assert not Reservation.objects.exists()
