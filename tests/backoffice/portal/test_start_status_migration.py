"""Migration 0002 gives existing driver sessions the start status their rows tell of."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from backoffice.portal.models import DriverSession, Notification
from stations.models import Command, Station, Transaction
from tests.factories.stations import StationFactory

migration = importlib.import_module("backoffice.portal.migrations.0002_driver_session_start_status")

pytestmark = pytest.mark.django_db

Status = DriverSession.StartStatus
MARKER = "start_failed"


def _command(station: Station, state: str, result_status: str = "") -> Command:
    return Command.objects.create(
        station=station,
        action="RemoteStartTransaction",
        payload={},
        state=state,
        result_status=result_status,
    )


def _session(user, station: Station, **fields) -> DriverSession:
    # As the AddField leaves every existing row.
    return DriverSession.objects.create(
        user=user, station=station, id_tag="APP", start_status=Status.REQUESTED, **fields
    )


def test_existing_rows_get_the_status_their_data_tells(driver):
    station = StationFactory()
    answered = _command(station, Command.State.ANSWERED, "Accepted")
    tx_portal = Transaction.objects.create(station=station, transaction_id="1")
    tx_card = Transaction.objects.create(station=station, transaction_id="2")
    rows = {
        "portal started": _session(driver, station, transaction=tx_portal, start_command=answered),
        "card": _session(driver, station, transaction=tx_card),
        "waiting": _session(driver, station, start_command=answered),
        "never came": _session(driver, station, start_command=answered, notified=[MARKER]),
        "rejected": _session(
            driver,
            station,
            start_command=_command(station, Command.State.ANSWERED, "Rejected"),
            notified=[MARKER],
        ),
        "offline": _session(
            driver,
            station,
            start_command=_command(station, Command.State.OFFLINE),
            notified=[MARKER],
        ),
        "timed out": _session(
            driver,
            station,
            start_command=_command(station, Command.State.TIMED_OUT),
            notified=[MARKER],
        ),
        "call error": _session(
            driver,
            station,
            start_command=_command(station, Command.State.CALL_ERROR),
            notified=[MARKER],
        ),
        "no command": _session(driver, station, notified=[MARKER]),
        "on its way": _session(driver, station, start_command=_command(station, "sent")),
    }
    told = rows["never came"]
    Notification.objects.create(user=driver, kind=MARKER, driver_session=told, title="t")

    migration.forwards(apps, None)

    got = {name: DriverSession.objects.get(pk=row.pk) for name, row in rows.items()}
    assert {name: row.start_status for name, row in got.items()} == {
        "portal started": Status.ACCEPTED,
        "card": Status.CARD,
        "waiting": Status.ACCEPTED,
        "never came": Status.NOT_STARTED,
        "rejected": Status.REFUSED,
        "offline": Status.OFFLINE,
        "timed out": Status.TIMEOUT,
        "call error": Status.ERROR,
        "no command": Status.REFUSED,
        "on its way": Status.REQUESTED,
    }
    # The old marker goes where no notification was given; a given one stays recorded.
    assert got["rejected"].notified == []
    assert got["never came"].notified == [MARKER]


def test_backwards_puts_the_marker_back_on_starts_that_did_not_happen(driver):
    station = StationFactory()
    refused = _session(driver, station)
    waiting = _session(driver, station)
    DriverSession.objects.filter(pk=refused.pk).update(start_status=Status.REFUSED)
    DriverSession.objects.filter(pk=waiting.pk).update(start_status=Status.ACCEPTED)

    migration.backwards(apps, None)

    assert DriverSession.objects.get(pk=refused.pk).notified == [MARKER]
    assert DriverSession.objects.get(pk=waiting.pk).notified == []
