"""A session charged with a user's token gets its DriverSession: the portal's pending one when
there is one (2.x: same remote start; else same station, token and EVSE, within 10 minutes),
else a new one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from backoffice.accounts.models import IdToken
from backoffice.portal.models import DriverSession, Notification
from backoffice.portal.services import session_watch
from stations.models import Command, Transaction
from stations.services.charging import transaction_events
from stations.services.charging.transaction_events import TransactionEventData
from stations.services.types import EvseRef
from tests.factories.accounts import IdTokenFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app_token(driver):
    return IdTokenFactory(id_token="APP-DRIVER", type=IdToken.Type.CENTRAL, user=driver)


def _pending(driver, station, *, id_tag="APP-DRIVER", evse_id=1, minutes_ago=2, **extra):
    session = DriverSession.objects.create(
        user=driver, station=station, evse_id=evse_id, id_tag=id_tag, **extra
    )
    DriverSession.objects.filter(pk=session.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return session


def test_a_card_start_makes_a_driver_session(driver, station, start16):
    tx = start16("DRIVER-TAG")
    session = DriverSession.objects.get(transaction=tx)
    assert (session.user, session.station, session.evse_id, session.connector_id) == (
        driver,
        station,
        1,
        1,
    )
    assert session.id_tag == "DRIVER-TAG"
    assert session.start_command is None
    assert session.start_status == DriverSession.StartStatus.CARD


def test_a_portal_start_takes_its_pending_driver_session(driver, station, start16, app_token):
    pending = _pending(
        driver, station, limit_minutes=45, start_status=DriverSession.StartStatus.ACCEPTED
    )
    tx = start16("APP-DRIVER")
    pending.refresh_from_db()
    assert pending.transaction == tx
    assert pending.limit_minutes == 45
    assert DriverSession.objects.filter(user=driver).count() == 1
    assert pending.start_status == DriverSession.StartStatus.ACCEPTED


@pytest.mark.parametrize(
    "start_status",
    [DriverSession.StartStatus.TIMEOUT, DriverSession.StartStatus.REFUSED],
)
def test_a_late_start_is_linked_and_becomes_accepted(
    driver, station, start16, app_token, start_status
):
    # The charger did not answer in time (or said no), then started anyway.
    late = _pending(driver, station, limit_minutes=45, start_status=start_status)
    tx = start16("APP-DRIVER")
    late.refresh_from_db()
    assert late.transaction == tx
    assert late.start_status == DriverSession.StartStatus.ACCEPTED
    assert late.limit_minutes == 45
    assert DriverSession.objects.filter(user=driver).count() == 1


def test_a_pending_session_older_than_the_window_or_elsewhere_is_not_taken(
    driver, station, start16, app_token
):
    stale = _pending(driver, station, minutes_ago=11)
    other_evse = _pending(driver, station, evse_id=2)
    tx = start16("APP-DRIVER")
    stale.refresh_from_db()
    other_evse.refresh_from_db()
    assert stale.transaction is None
    assert other_evse.transaction is None
    assert DriverSession.objects.get(transaction=tx).pk not in (stale.pk, other_evse.pk)


def test_a_2x_start_is_linked_by_its_remote_start(driver, station, app_token):
    command = Command.objects.create(
        station=station,
        action="RequestStartTransaction",
        payload={"idToken": {"idToken": "APP-DRIVER", "type": "Central"}, "remoteStartId": 42},
    )
    by_command = _pending(driver, station, evse_id=None, start_command=command, minutes_ago=3)
    # Newer, same station and token: matched only when no remote start names a session.
    _pending(driver, station, evse_id=None, minutes_ago=1)
    transaction_events.record_event(
        station_id=station.pk,
        event=TransactionEventData(
            event_type="Started",
            transaction_id="TX-REMOTE",
            seq_no=0,
            timestamp=timezone.now(),
            trigger_reason="RemoteStart",
            remote_start_id=42,
            evse=EvseRef(evse_id=1, connector_id=1),
            id_token="APP-DRIVER",
            id_token_type="Central",
        ),
        ask_terms=True,
    )
    by_command.refresh_from_db()
    tx = Transaction.objects.get(transaction_id="TX-REMOTE")
    assert by_command.transaction == tx
    assert (by_command.evse_id, by_command.connector_id) == (1, 1)


def test_a_2x_token_given_after_the_start_links_then(driver, station):
    def event(seq_no, **extra):
        return TransactionEventData(
            event_type="Started" if seq_no == 0 else "Updated",
            transaction_id="TX-LATE",
            seq_no=seq_no,
            timestamp=timezone.now(),
            trigger_reason="CablePluggedIn" if seq_no == 0 else "Authorized",
            evse=EvseRef(evse_id=1, connector_id=1),
            **extra,
        )

    transaction_events.record_event(station_id=station.pk, event=event(0))
    assert not DriverSession.objects.exists()
    transaction_events.record_event(
        station_id=station.pk, event=event(1, id_token="DRIVER-TAG", id_token_type="ISO14443")
    )
    assert DriverSession.objects.get().transaction.transaction_id == "TX-LATE"


def test_a_token_without_a_user_gets_no_driver_session(station, start16):
    IdTokenFactory(id_token="FLEET-CARD")
    start16("FLEET-CARD")
    start16("UNKNOWN-CARD", minutes_ago=5)
    assert not DriverSession.objects.exists()
    assert not Notification.objects.exists()


def test_linking_twice_changes_nothing(driver, station, start16):
    tx = start16("DRIVER-TAG")
    assert session_watch.transaction_started(transaction_pk=tx.pk) is None
    assert DriverSession.objects.filter(transaction=tx).count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.SESSION_STARTED).count() == 1
