"""Starting and stopping from the portal: each refusal, and real chargers over real sockets."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.http import Http404
from django.utils import timezone
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Client16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as Client201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from backoffice.accounts.models import DriverProfile, IdToken
from backoffice.audit.models import AuditEvent
from backoffice.portal import selectors
from backoffice.portal.models import DriverSession
from backoffice.portal.services import charging, limits
from backoffice.portal.services.charging import MESSAGES, ChargingUnavailable, Reason
from reservations.models import Reservation
from stations.models import Command, Station, Transaction
from tests.factories.stations import StationFactory
from tests.ocpp_client import booted, eventually, in_thread

from .api import data


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


# --- what the connector's state says (no socket: the registry row makes it online) -----------


@pytest.fixture
def cp(db):
    return StationFactory(identity="CP-PORTAL")


def state_of(station, evse_id=1, connector_id=1, user=None):
    return charging.connector_state(
        station_id=station.pk, evse_id=evse_id, connector_id=connector_id, user=user
    )


def test_an_offline_station_cannot_be_started(cp, driver):
    data.connector(cp)
    state = state_of(cp)
    assert (state.online, state.startable, state.reason) == (False, False, Reason.OFFLINE)
    with pytest.raises(ChargingUnavailable) as refused:
        charging.start(user=driver, station_id=cp.pk, evse_id=1, connector_id=1)
    assert refused.value.reason == Reason.OFFLINE
    assert refused.value.message == str(MESSAGES[Reason.OFFLINE])
    assert not DriverSession.objects.exists()
    assert not Command.objects.exists()


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("Available", Reason.AVAILABLE),
        ("Preparing", Reason.AVAILABLE),
        ("Charging", Reason.OCCUPIED),
        ("SuspendedEV", Reason.OCCUPIED),
        ("SuspendedEVSE", Reason.OCCUPIED),
        ("Finishing", Reason.OCCUPIED),
        ("Faulted", Reason.FAULTED),
        ("Unavailable", Reason.UNAVAILABLE),
        ("Reserved", Reason.RESERVED),
        ("", Reason.UNKNOWN),
    ],
)
def test_each_connector_status_has_its_reason_and_message(cp, driver, status, reason):
    data.online(cp)
    data.connector(cp, status=status)
    state = state_of(cp, user=driver)
    assert (state.startable, state.reason) == (reason == Reason.AVAILABLE, reason)
    assert state.message == str(MESSAGES[reason])
    if reason != Reason.AVAILABLE:
        with pytest.raises(ChargingUnavailable) as refused:
            charging.start(user=driver, station_id=cp.pk, evse_id=1, connector_id=1)
        assert (refused.value.reason, refused.value.message) == (reason, str(MESSAGES[reason]))
        assert not DriverSession.objects.exists()


def test_a_2x_plugged_in_car_can_be_started_unless_somebody_charges_there(cp, driver, other_driver):
    data.online(cp)
    data.connector(cp, status="Occupied")
    assert state_of(cp, user=driver).reason == Reason.AVAILABLE
    data.session(cp, IdToken.objects.get(user=other_driver))
    data.connector(cp, status="Occupied")
    assert state_of(cp, user=driver).reason == Reason.OCCUPIED


def test_an_unknown_connector_and_a_faulted_station_are_refused(cp, driver):
    data.online(cp)
    data.connector(cp)
    assert state_of(cp, evse_id=2).reason == Reason.UNKNOWN
    Station.objects.filter(pk=cp.pk).update(status="Faulted")
    assert state_of(cp).reason == Reason.FAULTED
    Station.objects.filter(pk=cp.pk).update(status="Unavailable")
    assert state_of(cp).reason == Reason.UNAVAILABLE


def test_a_reservation_holds_the_connector_for_its_own_driver_only(cp, driver, other_driver):
    data.online(cp)
    data.connector(cp, status="Reserved")
    Reservation.objects.create(
        station=cp,
        evse_id=1,
        id_token=IdToken.objects.get(user=driver),
        id_tag="DRIVER-TAG",
        expires_at=timezone.now() + timedelta(hours=1),
        reservation_id=77,
        status=Reservation.Status.ACCEPTED,
    )
    assert state_of(cp, user=other_driver).reason == Reason.RESERVED
    mine = state_of(cp, user=driver)
    assert mine.startable
    assert mine.reserved_for_user.reservation_id == 77


def test_a_private_site_refuses_the_app_unless_its_token_is_allowed(cp, driver):
    data.online(cp)
    data.connector(cp)
    cp.site.accepts_all_tokens = False
    cp.site.save()
    assert state_of(cp, user=driver).reason == Reason.PRIVATE
    cp.site.allowed_id_tokens.add(charging.ensure_app_token(user=driver))
    assert state_of(cp, user=driver).reason == Reason.AVAILABLE


def test_a_second_start_while_the_first_waits_for_the_car_is_refused(cp, driver):
    data.online(cp)
    data.connector(cp)
    data.accepted_start(driver, cp)
    with pytest.raises(ChargingUnavailable) as refused:
        charging.start(user=driver, station_id=cp.pk, evse_id=1, connector_id=1)
    assert refused.value.reason == Reason.ALREADY_CHARGING
    assert refused.value.message == str(MESSAGES[Reason.ALREADY_CHARGING])
    assert DriverSession.objects.count() == 1


def test_the_app_token_is_made_once_and_fits_a_16_id_tag(driver):
    token = charging.ensure_app_token(user=driver)
    assert charging.ensure_app_token(user=driver) == token
    assert token.type == IdToken.Type.CENTRAL
    assert token.user == driver
    assert token.status == IdToken.Status.ACCEPTED
    assert len(token.id_token) <= 20
    assert token.allow_concurrent_transactions
    assert DriverProfile.objects.get(user=driver).app_token == token
    assert IdToken.objects.filter(user=driver, type=IdToken.Type.CENTRAL).count() == 1
    assert AuditEvent.objects.filter(action="accounts.id_token.create", actor=driver).count() == 1


def test_app_tokens_of_two_drivers_differ(driver, other_driver):
    assert (
        charging.ensure_app_token(user=driver).id_token
        != charging.ensure_app_token(user=other_driver).id_token
    )


def test_stopping_another_drivers_or_an_ended_session_is_refused(cp, driver, other_driver):
    theirs = data.session(cp, IdToken.objects.get(user=other_driver))
    with pytest.raises(Http404):
        charging.stop(user=driver, transaction_pk=theirs.pk)
    ended = data.session(
        cp, IdToken.objects.get(user=driver), state=Transaction.State.COMPLETED, evse_id=2
    )
    with pytest.raises(ChargingUnavailable) as refused:
        charging.stop(user=driver, transaction_pk=ended.pk)
    assert refused.value.message == str(charging.NOT_ACTIVE)
    assert not Command.objects.exists()


# --- real chargers over real sockets ---------------------------------------------------------


class Charger16(Client16):
    accept = True
    delay = 0.0
    requests: list

    @on("RemoteStartTransaction")
    async def on_remote_start(self, id_tag, **kwargs):
        self.requests.append(("RemoteStartTransaction", {"id_tag": id_tag, **kwargs}))
        await asyncio.sleep(self.delay)
        return result16.RemoteStartTransaction(status="Accepted" if self.accept else "Rejected")

    @on("RemoteStopTransaction")
    async def on_remote_stop(self, transaction_id):
        self.requests.append(("RemoteStopTransaction", {"transaction_id": transaction_id}))
        return result16.RemoteStopTransaction(status="Accepted")


class Charger201(Client201):
    accept = True
    delay = 0.0
    requests: list

    @on("RequestStartTransaction")
    async def on_request_start(self, id_token, remote_start_id, **kwargs):
        self.requests.append(("RequestStartTransaction", {"id_token": id_token, **kwargs}))
        return result201.RequestStartTransaction(status="Accepted" if self.accept else "Rejected")


@contextlib.asynccontextmanager
async def connected(server, station, version, *, accept=True, delay=0.0, evses=(1,)):
    """A booted charger of `version` whose connectors report Available."""
    subprotocol, base = {"1.6": ("ocpp1.6", Charger16), "2.0.1": ("ocpp2.0.1", Charger201)}[version]
    client = type(base.__name__, (base,), {"requests": [], "accept": accept, "delay": delay})
    async with booted(server, station.identity, subprotocol=subprotocol, client_class=client) as cp:
        for evse_id in evses:
            if version == "1.6":
                await cp.call(
                    call16.StatusNotification(
                        connector_id=evse_id,
                        error_code="NoError",
                        status="Available",
                        timestamp=now_iso(),
                    )
                )
            else:
                await cp.call(
                    call201.StatusNotification(
                        timestamp=now_iso(),
                        connector_status="Available",
                        evse_id=evse_id,
                        connector_id=1,
                    )
                )
        yield cp


VERSIONS = [pytest.param("1.6", id="1.6"), pytest.param("2.0.1", id="2.0.1")]


@pytest.mark.asyncio
@pytest.mark.parametrize("version", VERSIONS)
async def test_a_start_sends_the_remote_start_as_the_driver_with_the_app_token(
    server, station, driver, version
):
    async with connected(server, station, version, evses=(1, 2)) as cp:
        first = await in_thread(
            charging.start,
            user=driver,
            station_id=station.pk,
            evse_id=2,
            connector_id=1,
            limit_energy_wh=D(5000),
            limit_minutes=45,
        )
        second = await in_thread(
            charging.start, user=driver, station_id=station.pk, evse_id=1, connector_id=1
        )

    assert first.accepted, first
    assert (first.status, first.message) == ("Accepted", str(charging.START_ACCEPTED))
    app = DriverProfile.objects.get(user=driver).app_token
    assert app.type == IdToken.Type.CENTRAL and len(app.id_token) <= 20
    action, request = cp.requests[0]
    if version == "1.6":
        assert (action, request) == (
            "RemoteStartTransaction",
            {"id_tag": app.id_token, "connector_id": 2},
        )
    else:
        assert action == "RequestStartTransaction"
        assert request["id_token"] == {"id_token": app.id_token, "type": "Central"}
        assert request["evse_id"] == 2
    # The second start reuses the token: one per driver.
    assert cp.requests[1][1]["id_tag" if version == "1.6" else "id_token"] in (
        app.id_token,
        {"id_token": app.id_token, "type": "Central"},
    )
    assert IdToken.objects.filter(user=driver, type=IdToken.Type.CENTRAL).count() == 1
    assert second.accepted

    session = DriverSession.objects.get(pk=first.driver_session.pk)
    assert (session.user, session.station, session.evse_id, session.connector_id) == (
        driver,
        station,
        2,
        1,
    )
    assert (session.id_tag, session.limit_energy_wh, session.limit_minutes) == (
        app.id_token,
        D(5000),
        45,
    )
    assert session.start_command == first.command
    assert session.start_status == DriverSession.StartStatus.ACCEPTED
    assert (first.command.actor, first.command.actor_label) == (driver, "portal")
    assert set(selectors.pending_starts(driver)) == {session, second.driver_session}
    assert AuditEvent.objects.filter(action="portal.session.start", actor=driver).count() == 2


@pytest.mark.asyncio
@pytest.mark.parametrize("version", VERSIONS)
async def test_a_start_the_station_refuses_says_so_and_is_not_pending(
    server, station, driver, version
):
    async with connected(server, station, version, accept=False):
        outcome = await in_thread(
            charging.start, user=driver, station_id=station.pk, evse_id=1, connector_id=1
        )

    assert not outcome.accepted
    assert (outcome.status, outcome.message) == ("Rejected", str(charging.START_REJECTED))
    session = DriverSession.objects.get()
    assert session.start_command == outcome.command
    assert session.start_status == DriverSession.StartStatus.REFUSED
    assert session.notified == []  # shown on the page: no notification due
    assert list(selectors.pending_starts(driver)) == []


@pytest.mark.asyncio
async def test_a_start_the_station_does_not_answer_in_time_says_so(server, station, driver):
    # The server gives the station OCPP_RESPONSE_TIMEOUT=5 s.
    async with connected(server, station, "1.6", delay=7) as cp:
        outcome = await in_thread(
            charging.start, user=driver, station_id=station.pk, evse_id=1, connector_id=1
        )
        assert not outcome.accepted
        assert (outcome.status, outcome.message) == ("timeout", str(charging.START_TIMEOUT))
        assert outcome.command.state == Command.State.TIMED_OUT
        session = DriverSession.objects.get()
        assert session.start_status == DriverSession.StartStatus.TIMEOUT
        assert list(selectors.pending_starts(driver)) == []

        # The charger starts after all: the session is linked, and its start accepted.
        await cp.call(
            call16.StartTransaction(
                connector_id=1, id_tag=session.id_tag, meter_start=0, timestamp=now_iso()
            )
        )
        linked = await eventually(
            lambda: DriverSession.objects.filter(pk=session.pk, transaction__isnull=False).first()
        )
    assert linked.start_status == DriverSession.StartStatus.ACCEPTED


@pytest.mark.asyncio
async def test_the_driver_stops_their_running_session(server, station, driver, other_driver):
    async with connected(server, station, "1.6") as cp:
        outcome = await in_thread(
            charging.start, user=driver, station_id=station.pk, evse_id=1, connector_id=1
        )
        assert outcome.accepted
        started = await cp.call(
            call16.StartTransaction(
                connector_id=1,
                id_tag=outcome.driver_session.id_tag,
                meter_start=1000,
                timestamp=now_iso(),
            )
        )
        assert started.id_tag_info["status"] == "Accepted"
        tx = await eventually(lambda: Transaction.objects.filter(station=station).first())
        with pytest.raises(Http404):
            await in_thread(charging.stop, user=other_driver, transaction_pk=tx.pk)
        result = await in_thread(charging.stop, user=driver, transaction_pk=tx.pk)

    assert result.accepted
    assert cp.requests[-1] == (
        "RemoteStopTransaction",
        {"transaction_id": int(started.transaction_id)},
    )
    assert (result.command.actor, result.command.actor_label) == (driver, "portal")
    assert selectors.session_for(driver, tx.pk).transaction == tx


@pytest.mark.parametrize(
    ("limit", "field", "message"),
    [
        ({"limit_energy_wh": D(0)}, "energy_wh", limits.ENERGY_NOT_POSITIVE),
        ({"limit_energy_wh": D(10**6)}, "energy_wh", limits.ENERGY_TOO_HIGH),
        ({"limit_minutes": 0}, "minutes", limits.MINUTES_NOT_POSITIVE),
        ({"limit_cost": D("-1")}, "cost", limits.COST_NOT_POSITIVE),
    ],
)
def test_a_limit_out_of_range_is_refused_before_anything_happens(cp, driver, limit, field, message):
    data.online(cp)
    data.connector(cp)
    with pytest.raises(limits.LimitInvalid) as refused:
        charging.start(user=driver, station_id=cp.pk, evse_id=1, connector_id=1, **limit)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert not DriverSession.objects.exists()


def test_a_second_start_while_the_first_is_on_its_way_is_refused(cp, driver):
    # A double tap: the first start's DriverSession exists, its command not answered yet.
    data.online(cp)
    data.connector(cp)
    DriverSession.objects.create(user=driver, station=cp, evse_id=1, connector_id=1, id_tag="A")
    with pytest.raises(ChargingUnavailable) as refused:
        charging.start(user=driver, station_id=cp.pk, evse_id=1, connector_id=1)
    assert refused.value.reason == Reason.ALREADY_CHARGING
    # A start that did not happen does not count.
    for failed in ("refused", "offline", "timeout", "error", "not_started"):
        DriverSession.objects.update(start_status=failed)
        assert not charging._busy_at(driver, cp.pk, 1), failed


def test_a_blocked_app_token_is_refused_before_anything_is_sent(cp, driver):
    data.online(cp)
    data.connector(cp)
    app = charging.ensure_app_token(user=driver)
    IdToken.objects.filter(pk=app.pk).update(status=IdToken.Status.BLOCKED)
    with pytest.raises(ChargingUnavailable) as refused:
        charging.start(user=driver, station_id=cp.pk, evse_id=1, connector_id=1)
    assert refused.value.reason == Reason.APP_TOKEN_BLOCKED
    assert refused.value.message == str(charging.APP_TOKEN_BLOCKED)
    assert not DriverSession.objects.exists()
    assert not Command.objects.exists()
