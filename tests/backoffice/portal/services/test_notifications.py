"""Notifications: each kind when its moment comes, once per session, only those the driver
chose, stored, pushed live to the driver's group and emailed when they want email."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal as D

import pytest
from channels.layers import get_channel_layer
from django.core import mail
from django.utils import timezone

from backoffice.accounts.models import DriverProfile
from backoffice.lib import live_publisher as publisher
from backoffice.lib.live_interest import Interest
from backoffice.lib.meter_series import Reading
from backoffice.portal.models import DriverSession, Notification
from backoffice.portal.services import notifications, session_checks, session_watch
from stations.models import Command
from stations.services.charging import transaction_events, transactions
from stations.services.charging.transaction_events import TransactionEventData
from stations.services.types import EvseRef

pytestmark = pytest.mark.django_db(transaction=True)
Kind = Notification.Kind


def _kinds(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True)
    )


def _profile(user, **fields) -> DriverProfile:
    profile, _ = DriverProfile.objects.get_or_create(user=user)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    return profile


def test_session_started_is_told_stored_and_emailed(driver, start16):
    start16("DRIVER-TAG")
    notification = Notification.objects.get(user=driver)
    assert notification.kind == Kind.SESSION_STARTED
    assert notification.title == "Charging session started"
    assert notification.emailed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [driver.email]
    assert mail.outbox[0].subject == "Charging session started"
    assert "Your session at CP-WATCH has started." in mail.outbox[0].body


def test_kinds_the_driver_did_not_choose_are_not_given(driver, start16):
    _profile(driver, notify_session_started=False, notify_session_ended=False)
    tx = start16("DRIVER-TAG")
    transactions.stop(
        station_id=tx.station_id,
        transaction_id=tx.transaction_id,
        meter_stop_wh=D(6000),
        stopped_at=timezone.now(),
    )
    assert DriverSession.objects.filter(transaction=tx).exists()
    assert _kinds(driver) == []
    assert mail.outbox == []


def test_no_email_when_the_driver_wants_none(driver, start16):
    _profile(driver, email_notifications=False)
    start16("DRIVER-TAG")
    assert _kinds(driver) == [Kind.SESSION_STARTED]
    assert Notification.objects.get(user=driver).emailed_at is None
    assert mail.outbox == []


def test_session_ended_tells_its_total(driver, start16):
    tx = start16("DRIVER-TAG", minutes_ago=95, meter_start=1000)
    for _ in range(2):  # a replayed stop tells nothing twice
        transactions.stop(
            station_id=tx.station_id,
            transaction_id=tx.transaction_id,
            meter_stop_wh=D(13_345),
            stopped_at=tx.started_at + timedelta(minutes=95),
        )
    ended = Notification.objects.get(user=driver, kind=Kind.SESSION_ENDED)
    assert ended.body == (
        "Your session at CP-WATCH has ended. Energy: 12.345 kWh. Duration: 1 h 35 min."
    )
    assert _kinds(driver) == [Kind.SESSION_STARTED, Kind.SESSION_ENDED]


def _event(seq_no: int, state: str, event_type: str = "Updated", **extra) -> TransactionEventData:
    return TransactionEventData(
        event_type=event_type,
        transaction_id="TX-2X",
        seq_no=seq_no,
        timestamp=timezone.now() + timedelta(seconds=seq_no),
        trigger_reason="ChargingStateChanged",
        charging_state=state,
        evse=EvseRef(evse_id=1, connector_id=1),
        **extra,
    )


def test_charging_finished_2x_when_the_state_leaves_charging_once(driver, station):
    record = transaction_events.record_event
    record(
        station_id=station.pk,
        event=_event(0, "Charging", "Started", id_token="DRIVER-TAG", id_token_type="ISO14443"),
    )
    record(station_id=station.pk, event=_event(1, "SuspendedEV"))
    session = DriverSession.objects.get()
    assert session.charging_finished_at is not None
    record(station_id=station.pk, event=_event(2, "Charging"))
    session.refresh_from_db()
    assert session.charging_finished_at is None  # drawing power again
    record(station_id=station.pk, event=_event(3, "EVConnected"))
    assert _kinds(driver) == [Kind.SESSION_STARTED, Kind.CHARGING_FINISHED]
    record(station_id=station.pk, event=_event(4, "Idle", "Ended"))
    assert _kinds(driver)[-1] == Kind.SESSION_ENDED


def test_charging_finished_16_when_power_drops_after_charging(driver, start16):
    tx = start16("DRIVER-TAG", meter_start=1000)
    now = timezone.now()
    # Before any energy: a car not yet drawing has not finished.
    session_watch.meter_reading(
        transaction_pk=tx.pk, reading=Reading(power_w=D(0), energy_wh=D(1000)), at=now
    )
    assert DriverSession.objects.get(transaction=tx).charging_finished_at is None
    session_watch.meter_reading(
        transaction_pk=tx.pk, reading=Reading(power_w=D(7200), energy_wh=D(9000)), at=now
    )
    session_watch.meter_reading(
        transaction_pk=tx.pk, reading=Reading(power_w=D(40), energy_wh=D(9100)), at=now
    )
    assert DriverSession.objects.get(transaction=tx).charging_finished_at == now
    assert _kinds(driver) == [Kind.SESSION_STARTED, Kind.CHARGING_FINISHED]


def test_charging_finished_16_from_a_suspended_ev_status(driver, start16):
    tx = start16("DRIVER-TAG")
    now = timezone.now()
    session_watch.status_reported(station_id=tx.station_id, evse_id=2, status="SuspendedEV", at=now)
    assert _kinds(driver) == [Kind.SESSION_STARTED]  # another connector
    session_watch.status_reported(station_id=tx.station_id, evse_id=1, status="SuspendedEV", at=now)
    assert _kinds(driver) == [Kind.SESSION_STARTED, Kind.CHARGING_FINISHED]


def test_soc_reached_once_at_the_chosen_percent(driver, start16):
    _profile(driver, notify_soc_percent=80)
    tx = start16("DRIVER-TAG")
    for soc in ("70", "80.5", "90"):
        session_watch.meter_reading(
            transaction_pk=tx.pk, reading=Reading(soc_percent=D(soc)), at=timezone.now()
        )
    soc = Notification.objects.get(user=driver, kind=Kind.SOC_REACHED)
    assert soc.title == "Battery at 80.5%"


def test_soc_is_not_told_when_the_driver_chose_no_percent(driver, start16):
    tx = start16("DRIVER-TAG")
    session_watch.meter_reading(
        transaction_pk=tx.pk, reading=Reading(soc_percent=D(100)), at=timezone.now()
    )
    assert _kinds(driver) == [Kind.SESSION_STARTED]


def test_idle_after_charging_is_told_by_the_periodic_check(driver, start16):
    _profile(driver, notify_idle_minutes=15)
    tx = start16("DRIVER-TAG")
    finished = timezone.now()
    DriverSession.objects.filter(transaction=tx).update(charging_finished_at=finished)
    session_checks.check_sessions(now=finished + timedelta(minutes=14))
    assert Kind.IDLE not in _kinds(driver)
    session_checks.check_sessions(now=finished + timedelta(minutes=16))
    session_checks.check_sessions(now=finished + timedelta(minutes=30))
    assert _kinds(driver) == [Kind.SESSION_STARTED, Kind.IDLE]


def test_a_start_that_never_came_is_told_once(driver, station):
    command = Command.objects.create(
        station=station, action="RemoteStartTransaction", payload={}, result_status="Accepted"
    )
    waiting = DriverSession.objects.create(
        user=driver,
        station=station,
        evse_id=1,
        id_tag="APP-X",
        start_command=command,
        start_status=DriverSession.StartStatus.ACCEPTED,
    )
    session_checks.check_sessions(now=timezone.now() + timedelta(minutes=5))
    assert _kinds(driver) == []  # still within the window
    for minutes in (11, 12):
        session_checks.check_sessions(now=timezone.now() + timedelta(minutes=minutes))
    assert _kinds(driver) == [Kind.START_FAILED]
    waiting.refresh_from_db()
    assert waiting.notified == [Kind.START_FAILED]
    assert waiting.start_status == DriverSession.StartStatus.NOT_STARTED


@pytest.mark.parametrize(
    "start_status",
    [
        DriverSession.StartStatus.REFUSED,
        DriverSession.StartStatus.OFFLINE,
        DriverSession.StartStatus.TIMEOUT,
        DriverSession.StartStatus.ERROR,
    ],
)
def test_a_start_that_failed_on_the_page_is_not_told_again(driver, station, start_status):
    command = Command.objects.create(station=station, action="RemoteStartTransaction", payload={})
    session = DriverSession.objects.create(
        user=driver,
        station=station,
        id_tag="APP-X",
        start_command=command,
        start_status=start_status,  # the charging service's record: the page said so
    )
    session_checks.check_sessions(now=timezone.now() + timedelta(minutes=11))
    assert _kinds(driver) == []
    assert DriverSession.objects.get(pk=session.pk).start_status == start_status


def test_a_kind_is_given_once_per_session(driver, station):
    session = DriverSession.objects.create(user=driver, station=station, id_tag="X")
    first = notifications.notify(
        user=driver, kind=Kind.CHARGING_FINISHED, title="t", driver_session=session
    )
    again = notifications.notify(
        user=driver, kind=Kind.CHARGING_FINISHED, title="t", driver_session=session
    )
    assert first is not None
    assert again is None
    assert DriverSession.objects.get(pk=session.pk).notified == [Kind.CHARGING_FINISHED]


def test_a_missing_profile_is_made_with_its_defaults(driver, station):
    assert not DriverProfile.objects.filter(user=driver).exists()
    notifications.notify(user=driver, kind=Kind.SESSION_STARTED, title="t")
    assert DriverProfile.objects.get(user=driver).notify_session_started


@pytest.mark.asyncio
async def test_a_notification_is_pushed_to_the_drivers_group(driver, monkeypatch):
    fresh = Interest()
    monkeypatch.setattr(publisher, "interest", fresh)
    group = publisher.user_group(driver.pk)
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    fresh.watch([group])

    given = await asyncio.to_thread(
        notifications.notify, user=driver, kind=Kind.LIMIT_REACHED, title="Stop", body="Done"
    )
    message = await asyncio.wait_for(layer.receive(channel), 5)
    assert message["events"] == [
        {
            "kind": "notification",
            "notification": given.pk,
            "type": Kind.LIMIT_REACHED,
            "title": "Stop",
            "body": "Done",
        }
    ]
