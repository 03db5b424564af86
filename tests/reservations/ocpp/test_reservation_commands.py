"""Reservations over real sockets: 1.6, 2.0.1 and 2.1 chargers answering ReserveNow and
CancelReservation, and the follow-ups that end a reservation (a 2.x ReservationStatusUpdate,
a transaction started with it)."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from django.utils import timezone
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v21 import ChargePoint as Client21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from backoffice.audit.models import AuditEvent
from reservations.models import Reservation
from reservations.services import reservations
from stations.exceptions import CommandTimeout, StationNotConnected
from stations.models import Command, Transaction
from stations.services.commands.bus import Caller
from tests.factories.reservations import ReservationFactory
from tests.ocpp_client import REFUSING_CLIENTS, booted, in_thread

pytestmark = pytest.mark.asyncio


class Charger16(Client16):
    answer = "Accepted"
    requests: list[tuple[str, dict]]

    @on("ReserveNow")
    async def on_reserve_now(self, **request):
        self.requests.append(("ReserveNow", request))
        return result16.ReserveNow(status=self.answer)

    @on("CancelReservation")
    async def on_cancel(self, reservation_id):
        self.requests.append(("CancelReservation", {"reservation_id": reservation_id}))
        return result16.CancelReservation(
            status="Accepted" if self.answer == "Accepted" else "Rejected"
        )


def _2x_handlers(results):
    class Handlers:
        answer = "Accepted"
        requests: list[tuple[str, dict]]

        @on("ReserveNow")
        async def on_reserve_now(self, **request):
            self.requests.append(("ReserveNow", request))
            return results.ReserveNow(status=self.answer)

        @on("CancelReservation")
        async def on_cancel(self, reservation_id):
            self.requests.append(("CancelReservation", {"reservation_id": reservation_id}))
            return results.CancelReservation(
                status="Accepted" if self.answer == "Accepted" else "Rejected"
            )

    return Handlers


class Charger201(_2x_handlers(result201), Client201):
    pass


class Charger21(_2x_handlers(result21), Client21):
    pass


CLIENTS = {
    "1.6": ("ocpp1.6", Charger16),
    "2.0.1": ("ocpp2.0.1", Charger201),
    "2.1": ("ocpp2.1", Charger21),
}
VERSIONS = ["1.6", "2.0.1", "2.1"]
V2X = [pytest.param("2.0.1", call201, id="2.0.1"), pytest.param("2.1", call21, id="2.1")]


@contextlib.asynccontextmanager
async def connected(server, station, version, *, answer="Accepted", handlers=True):
    """A booted charger of `version`; without `handlers` it answers CALLERROR NotImplemented."""
    subprotocol, client = CLIENTS[version]
    charger_class = type(client.__name__, (client,), {"requests": [], "answer": answer})
    async with booted(
        server,
        station.identity,
        subprotocol=subprotocol,
        client_class=charger_class if handlers else REFUSING_CLIENTS[subprotocol],
    ) as cp:
        yield cp


async def reserve(station, **kwargs):
    return await in_thread(
        reservations.reserve_now,
        station_id=station.pk,
        id_token=kwargs.pop("id_token", "TAG-ACCEPTED"),
        expires_at=timezone.now() + timedelta(hours=1),
        **kwargs,
    )


@pytest.mark.parametrize("version", VERSIONS)
async def test_an_accepted_reservation_is_held(server, station, id_token, version):
    async with connected(server, station, version) as cp:
        result = await reserve(station, evse_id=1, caller=Caller(label="test"))
    reservation = result.reservation
    assert result.accepted
    assert reservation.status == Reservation.Status.ACCEPTED
    assert (reservation.command, reservation.id_token) == (result.command, id_token)
    assert reservation.ended_at is None
    action, request = cp.requests[0]
    assert action == "ReserveNow"
    if version == "1.6":
        assert (request["connector_id"], request["id_tag"]) == (1, "TAG-ACCEPTED")
        assert request["reservation_id"] == reservation.reservation_id
    else:
        assert (request["evse_id"], request["id"]) == (1, reservation.reservation_id)
        assert request["id_token"] == {"id_token": "TAG-ACCEPTED", "type": "ISO14443"}
    audit = AuditEvent.objects.get(action="reservations.create")
    assert (audit.actor_label, audit.target_id) == ("test", str(reservation.pk))


@pytest.mark.parametrize(
    ("version", "answer", "status"),
    [
        ("1.6", "Occupied", Reservation.Status.OCCUPIED),
        ("2.0.1", "Rejected", Reservation.Status.REJECTED),
        ("2.1", "Faulted", Reservation.Status.FAULTED),
        ("2.0.1", "Unavailable", Reservation.Status.UNAVAILABLE),
    ],
)
async def test_a_refused_reservation_keeps_the_stations_reason(
    server, station, version, answer, status
):
    async with connected(server, station, version, answer=answer):
        result = await reserve(station)
    assert (result.status, result.accepted) == (answer, False)
    assert result.reservation.status == status
    assert result.reservation.ended_at is not None


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_charger_without_reservations_answers_with_a_callerror(server, station, version):
    async with connected(server, station, version, handlers=False):
        result = await reserve(station)
    assert result.command.state == Command.State.CALL_ERROR
    assert result.command.error_code == "NotImplemented"
    assert result.reservation.status == Reservation.Status.FAILED


async def test_a_reservation_the_station_never_answers_stays_requested(server, station):
    # The `ocpp` package's 2.1 client leaves a CALL without a handler unanswered.
    async with booted(server, station.identity, subprotocol="ocpp2.1"):
        with pytest.raises(CommandTimeout) as timed_out:
            await reserve(station, caller=Caller(label="test", timeout=1))
    reservation = Reservation.objects.get()
    assert reservation.status == Reservation.Status.REQUESTED
    assert reservation.command == timed_out.value.command
    assert AuditEvent.objects.get(action="reservations.create").data["status"] == "requested"


@pytest.mark.parametrize("version", VERSIONS)
async def test_reserving_at_an_offline_station_raises_at_once(server, station, version):
    station.ocpp_version = version
    station.save()
    with pytest.raises(StationNotConnected):
        await reserve(station)
    assert Reservation.objects.get().status == Reservation.Status.FAILED


@pytest.mark.parametrize("version", VERSIONS)
async def test_an_accepted_cancel_cancels_the_reservation(server, station, version):
    async with connected(server, station, version) as cp:
        made = await reserve(station, evse_id=1)
        result = await in_thread(
            reservations.cancel,
            station_id=station.pk,
            reservation_id=made.reservation.reservation_id,
            caller=Caller(label="test"),
        )
    assert result.accepted
    assert cp.requests[-1] == (
        "CancelReservation",
        {"reservation_id": made.reservation.reservation_id},
    )
    reservation = result.reservation
    assert reservation.status == Reservation.Status.CANCELLED
    assert reservation.cancel_command == result.command
    assert AuditEvent.objects.filter(
        action="reservations.cancel", target_id=str(reservation.pk), actor_label="test"
    ).exists()


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_rejected_cancel_leaves_the_reservation_as_it_was(server, station, version):
    reservation = ReservationFactory(station=station)
    async with connected(server, station, version, answer="Rejected"):
        result = await in_thread(
            reservations.cancel, station_id=station.pk, reservation_id=reservation.reservation_id
        )
    assert result.status == "Rejected"
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.ACCEPTED
    assert reservation.cancel_command == result.command
    assert not AuditEvent.objects.filter(action="reservations.cancel").exists()


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_cancel_answered_with_a_callerror_leaves_the_reservation(server, station, version):
    reservation = ReservationFactory(station=station)
    async with connected(server, station, version, handlers=False):
        result = await in_thread(
            reservations.cancel, station_id=station.pk, reservation_id=reservation.reservation_id
        )
    assert result.command.state == Command.State.CALL_ERROR
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.ACCEPTED


# --- follow-ups ------------------------------------------------------------------------------


@pytest.mark.parametrize(("version", "call"), V2X)
async def test_a_2x_station_saying_a_reservation_expired_ends_it(server, station, version, call):
    async with connected(server, station, version) as cp:
        made = await reserve(station, evse_id=1)
        await cp.call(
            call.ReservationStatusUpdate(
                reservation_id=made.reservation.reservation_id,
                reservation_update_status="Expired",
            )
        )
    made.reservation.refresh_from_db()
    assert made.reservation.status == Reservation.Status.EXPIRED


async def test_a_16_start_transaction_with_the_reservation_uses_it(server, station, id_token):
    async with connected(server, station, "1.6") as cp:
        made = await reserve(station, evse_id=1)
        started = await cp.call(
            call16.StartTransaction(
                connector_id=1,
                id_tag="TAG-ACCEPTED",
                meter_start=0,
                timestamp="2026-01-05T10:00:00Z",
                reservation_id=made.reservation.reservation_id,
            )
        )
    made.reservation.refresh_from_db()
    assert made.reservation.status == Reservation.Status.USED
    assert made.reservation.transaction == Transaction.objects.get(
        station=station, transaction_id=str(started.transaction_id)
    )


@pytest.mark.parametrize(("version", "call"), V2X)
async def test_a_2x_transaction_started_with_the_reservation_uses_it(
    server, station, id_token, version, call
):
    async with connected(server, station, version) as cp:
        made = await reserve(station, evse_id=1)
        await cp.call(
            call.TransactionEvent(
                event_type="Started",
                timestamp="2026-01-05T10:00:00Z",
                trigger_reason="Authorized",
                seq_no=0,
                transaction_info={"transaction_id": "RES-TX-1"},
                evse={"id": 1, "connector_id": 1},
                id_token={"id_token": "TAG-ACCEPTED", "type": "ISO14443"},
                reservation_id=made.reservation.reservation_id,
            )
        )
    made.reservation.refresh_from_db()
    assert made.reservation.status == Reservation.Status.USED
    assert made.reservation.transaction.transaction_id == "RES-TX-1"
