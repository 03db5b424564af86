"""The page benchmark's fill (bench/pages_fill.py) at tiny scale: rows the app reads as its own.

The fill writes with COPY and ids of its own, so a model or service change it misses shows up
here instead of in a benchmark run nobody made.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.db import connection

from backoffice.accounts import roles
from backoffice.accounts.models import IdToken
from stations import selectors
from stations.models import (
    Command,
    MessageLog,
    MeterValue,
    Site,
    Station,
    StatusEvent,
    Transaction,
    TransactionEvent,
)
from stations.services.charging import metering

# The bench modules import each other by bare name, as when run as scripts from bench/;
# appended, so they shadow nothing the suite imports.
sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
import pages_fill


@pytest.fixture
def plan() -> pages_fill.Plan:
    return pages_fill.Plan(stations=12, meter_values=300, sites=3)


@pytest.fixture
def filled(db, plan) -> dict[str, int]:
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        rows = pages_fill.fill(cursor, plan)
        # The foreign keys are deferred to the commit a test never makes: check them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return rows


def test_it_fills_every_table_at_the_planned_size(filled, plan):
    assert Site.objects.count() == plan.sites
    assert Station.objects.count() == plan.stations
    assert Transaction.objects.count() == plan.transactions
    assert MeterValue.objects.count() == plan.meter_values == filled["meter values"]
    assert IdToken.objects.count() == plan.id_tokens
    assert StatusEvent.objects.count() == plan.status_events
    assert MessageLog.objects.count() == plan.message_log
    assert Command.objects.count() == plan.commands
    assert TransactionEvent.objects.exists()


def test_meter_values_are_rows_metering_would_write(filled):
    for value in MeterValue.objects.select_related("transaction"):
        tx = value.transaction
        assert value.station_id == tx.station_id
        assert value.dedup_key == metering._dedup_key(
            value.evse_id, value.connector_id, tx, value.timestamp, value.sampled_values
        )
        assert tx.started_at <= value.timestamp
        assert tx.stopped_at is None or value.timestamp <= tx.stopped_at


def test_sessions_end_on_their_last_register_reading(filled):
    completed = Transaction.objects.filter(state="completed").prefetch_related("meter_values")
    for tx in completed:
        readings = sorted(tx.meter_values.all(), key=lambda value: value.timestamp)
        if readings:
            assert readings[-1].sampled_values[0]["value"] == str(int(tx.meter_stop_wh))
        assert tx.energy_wh >= 0


def test_active_sessions_are_on_charging_connectors(filled):
    active = Transaction.objects.filter(state="active").select_related("connector")
    assert active.exists()
    assert {tx.connector.status for tx in active} <= {"Charging", "SuspendedEV"}


def test_the_bench_users_sign_in_with_their_roles(filled, plan):
    admin = User.objects.get(username=pages_fill.ADMIN_USERNAME)
    operator = User.objects.get(username=pages_fill.OPERATOR_USERNAME)
    assert PBKDF2PasswordHasher().verify(pages_fill.PASSWORD, admin.password)
    assert roles.access_for(admin).role == roles.ADMIN
    assert roles.access_for(admin).site_ids is None
    assert roles.access_for(operator).role == roles.OPERATOR
    assert len(roles.access_for(operator).site_ids) == min(plan.sites, pages_fill.OPERATOR_SITES)


def test_the_pages_selectors_read_it(filled, plan):
    admin = User.objects.get(username=pages_fill.ADMIN_USERNAME)
    stations = list(selectors.station_list_for(user=admin))
    assert len(stations) == plan.stations
    assert any(station.online for station in stations)
    assert all(station.evses.all() for station in stations)
    tx = Transaction.objects.order_by("pk").first()
    assert selectors.transaction_for(user=admin, pk=tx.pk) == tx


def test_new_rows_get_fresh_ids_after_it(filled):
    newest = Station.objects.order_by("-pk").first()
    assert Station.objects.create(identity="AFTER-FILL").pk > newest.pk
