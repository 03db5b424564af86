"""Operator session pages: list (filters, scope, CSV export), detail, summary and meter series."""

from __future__ import annotations

import csv
import io
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from stations.forms.sessions import DATE_RANGE_REVERSED
from stations.models import Connector, Evse, MeterValue, Transaction, TransactionEvent
from tests.factories.accounts import IdTokenFactory
from tests.factories.stations import SiteFactory, StationFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
ENERGY = "Energy.Active.Import.Register"


def make_session(station, *, transaction_id="1001", evse_id=1, connector_id=1, **fields):
    evse, _ = Evse.objects.get_or_create(station=station, evse_id=evse_id)
    connector, _ = Connector.objects.get_or_create(evse=evse, connector_id=connector_id)
    values = {
        "id_tag": "TAG-1",
        "started_at": T0,
        "meter_start_wh": D("1000"),
        "state": Transaction.State.ACTIVE,
        **fields,
    }
    return Transaction.objects.create(
        station=station, evse=evse, connector=connector, transaction_id=transaction_id, **values
    )


def meter(tx, at, *samples, key=None):
    return MeterValue.objects.create(
        station=tx.station,
        transaction=tx,
        evse_id=1,
        connector_id=1,
        timestamp=at,
        sampled_values=list(samples),
        dedup_key=key or f"{tx.pk}-{at.isoformat()}",
    )


def sample(value, measurand=ENERGY, unit=None, phase=None):
    found = {"value": value, "measurand": measurand}
    if unit:
        found["unit"] = unit
    if phase:
        found["phase"] = phase
    return found


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def own_site_session(other_site_operator):
    """A session at a station of the other-site operator's site."""
    site = other_site_operator.staff_profile.sites.get()
    return make_session(StationFactory(identity="CP-OWN", site=site), transaction_id="2002")


@pytest.fixture
def foreign_session():
    return make_session(
        StationFactory(identity="CP-FOREIGN", site=SiteFactory(name="Elsewhere")),
        transaction_id="3003",
    )


# --- who may see what ------------------------------------------------------------------------


def test_the_list_shows_a_site_limited_operator_only_the_sessions_of_their_sites(
    client, other_site_operator, own_site_session, foreign_session
):
    response = signed_in(client, other_site_operator).get(reverse("operator:session_list"))
    assert response.status_code == 200
    assert list(response.context["page_obj"].object_list) == [own_site_session]
    assert b"CP-FOREIGN" not in response.content


@pytest.mark.parametrize("name", ["session_detail", "session_summary", "session_series"])
def test_another_sites_session_is_not_found(client, other_site_operator, foreign_session, name):
    url = reverse(f"operator:{name}", args=[foreign_session.pk])
    assert signed_in(client, other_site_operator).get(url).status_code == 404


@pytest.mark.parametrize("name", ["session_detail", "session_summary", "session_series"])
def test_a_site_limited_operator_reads_their_own_sessions(
    client, other_site_operator, own_site_session, name
):
    url = reverse(f"operator:{name}", args=[own_site_session.pk])
    assert signed_in(client, other_site_operator).get(url).status_code == 200


def test_a_driver_is_refused_every_session_page(client, driver, foreign_session):
    client = signed_in(client, driver)
    for url in [
        reverse("operator:session_list"),
        reverse("operator:session_export"),
        reverse("operator:session_detail", args=[foreign_session.pk]),
        reverse("operator:session_series", args=[foreign_session.pk]),
    ]:
        assert client.get(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_sign_in(client, foreign_session):
    response = client.get(reverse("operator:session_detail", args=[foreign_session.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_viewer_reads_the_list_and_the_detail(client, viewer, foreign_session):
    client = signed_in(client, viewer)
    assert client.get(reverse("operator:session_list")).status_code == 200
    detail = client.get(reverse("operator:session_detail", args=[foreign_session.pk]))
    assert detail.status_code == 200
    assert detail.context["nav"] == "sessions"


# --- filters -----------------------------------------------------------------------------------


@pytest.fixture
def assorted(db):
    north, south = SiteFactory(name="North"), SiteFactory(name="South")
    a = make_session(
        StationFactory(identity="CP-NORTH-1", site=north),
        transaction_id="1",
        id_tag="CARD-A",
        started_at=T0,
    )
    b = make_session(
        StationFactory(identity="CP-SOUTH-1", site=south),
        transaction_id="2",
        id_tag="CARD-B",
        started_at=T0 + timedelta(days=2),
        state=Transaction.State.COMPLETED,
        stopped_at=T0 + timedelta(days=2, hours=1),
        meter_stop_wh=D("5000"),
    )
    c = make_session(
        StationFactory(identity="CP-SOUTH-2", site=south),
        transaction_id="3",
        id_tag="FLEET-A",
        started_at=T0 + timedelta(days=5),
    )
    return {"north": north, "south": south, "a": a, "b": b, "c": c}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["c", "b", "a"]),
        ({"site": "south"}, ["c", "b"]),
        ({"station": "north"}, ["a"]),
        ({"id_token": "card"}, ["b", "a"]),
        ({"state": "completed"}, ["b"]),
        ({"started_from": "2026-01-07"}, ["c", "b"]),
        ({"started_to": "2026-01-07"}, ["b", "a"]),
        ({"started_from": "2026-01-06", "started_to": "2026-01-07", "state": "completed"}, ["b"]),
    ],
)
def test_the_list_filters(client, operator, assorted, params, expected):
    if "site" in params:
        params = {**params, "site": assorted[params["site"]].pk}
    response = signed_in(client, operator).get(reverse("operator:session_list"), params)
    assert list(response.context["page_obj"].object_list) == [assorted[k] for k in expected]


def test_a_reversed_date_range_is_shown_next_to_the_field(client, operator, assorted):
    response = signed_in(client, operator).get(
        reverse("operator:session_list"), {"started_from": "2026-01-07", "started_to": "2026-01-01"}
    )
    assert response.context["form"].errors == {"started_to": [DATE_RANGE_REVERSED]}
    assert str(DATE_RANGE_REVERSED) in response.content.decode()


def test_a_site_limited_operator_cannot_filter_by_another_site(
    client, other_site_operator, assorted
):
    response = signed_in(client, other_site_operator).get(
        reverse("operator:session_list"), {"site": assorted["north"].pk}
    )
    assert "site" in response.context["form"].errors
    assert list(response.context["page_obj"].object_list) == []


def test_the_list_paginates_with_the_filters_kept(client, operator):
    station = StationFactory(identity="CP-MANY")
    for n in range(55):
        make_session(station, transaction_id=str(n), started_at=T0 + timedelta(minutes=n))
    response = signed_in(client, operator).get(
        reverse("operator:session_list"), {"station": "many", "page": 2}
    )
    assert len(response.context["page_obj"].object_list) == 5
    assert response.context["query"] == "station=many"
    assert 'href="?station=many&page=1"' in response.content.decode()


def test_the_list_costs_the_same_queries_for_3_or_50_sessions(
    client, operator, django_assert_max_num_queries
):
    client = signed_in(client, operator)
    station = StationFactory(identity="CP-COUNT")
    for n in range(3):
        make_session(station, transaction_id=str(n), id_token=IdTokenFactory())
    client.get(reverse("operator:session_list"))  # warm the session and the user
    with django_assert_max_num_queries(7) as few:
        client.get(reverse("operator:session_list"))
    for n in range(3, 50):
        make_session(StationFactory(), transaction_id=str(n), id_token=IdTokenFactory(), evse_id=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("operator:session_list"))
    assert len(response.context["page_obj"].object_list) == 50


# --- CSV export --------------------------------------------------------------------------------


def export(client, user, url=None, **params):
    response = signed_in(client, user).get(url or reverse("operator:session_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_the_export_holds_exactly_the_filtered_sessions(client, operator, assorted):
    make_session(
        StationFactory(identity="CP-EVIL", site=assorted["south"]),
        transaction_id="4",
        evse_id=2,
        connector_id=3,
        id_tag="=HYPERLINK(1)",
        started_at=T0 + timedelta(days=3),
        stopped_at=T0 + timedelta(days=3, hours=25, minutes=2, seconds=3),
        meter_stop_wh=D("13345.678"),
        stop_reason="Local",
        state=Transaction.State.COMPLETED,
    )
    content = export(client, operator, site=assorted["south"].pk, started_from="2026-01-06")
    assert content == (
        "station,EVSE,connector,transaction id,id token,started,stopped,duration,energy kWh,"
        "stop reason,state\r\n"
        "CP-SOUTH-2,1,1,3,FLEET-A,2026-01-10T10:00:00+00:00,,,,,active\r\n"
        "CP-EVIL,2,3,4,'=HYPERLINK(1),2026-01-08T10:00:00+00:00,2026-01-09T11:02:03+00:00,"
        "25:02:03,12.346,Local,completed\r\n"
        "CP-SOUTH-1,1,1,2,CARD-B,2026-01-07T10:00:00+00:00,2026-01-07T11:00:00+00:00,"
        "1:00:00,4.000,,completed\r\n"
    )


def test_the_list_exports_with_format_csv_too(client, operator, assorted):
    content = export(
        client, operator, url=reverse("operator:session_list"), format="csv", station="north"
    )
    rows = list(csv.reader(io.StringIO(content)))
    assert [row[0] for row in rows] == ["station", "CP-NORTH-1"]


def test_the_export_keeps_to_the_users_sites(
    client, other_site_operator, own_site_session, foreign_session
):
    rows = list(csv.reader(io.StringIO(export(client, other_site_operator))))
    assert [row[0] for row in rows[1:]] == ["CP-OWN"]


def test_the_export_reads_in_one_query_whatever_its_rows(
    client, operator, assorted, django_assert_max_num_queries
):
    client = signed_in(client, operator)
    client.get(reverse("operator:session_list"))
    with django_assert_max_num_queries(5):
        response = client.get(reverse("operator:session_export"))
        content = b"".join(response.streaming_content)
    assert content.count(b"\r\n") == 4


# --- detail, summary and series --------------------------------------------------------------


def test_the_detail_shows_energy_so_far_of_a_running_16_session(client, operator):
    tx = make_session(StationFactory(identity="CP-LIVE"), anomalies=["naive_timestamp"])
    meter(tx, T0 + timedelta(minutes=5), sample("1.5", unit="kWh"))
    meter(tx, T0 + timedelta(minutes=6), sample("40", measurand="SoC"))
    response = signed_in(client, operator).get(reverse("operator:session_detail", args=[tx.pk]))
    assert response.context["summary"].energy_wh == D("500")
    body = response.content.decode()
    assert f'data-live="transaction:{tx.pk}"' in body
    assert "naive_timestamp" in body
    assert reverse("operator:session_series", args=[tx.pk]) in body


def test_the_summary_of_an_ended_session_shows_its_final_energy(client, operator):
    tx = make_session(
        StationFactory(),
        state=Transaction.State.COMPLETED,
        stopped_at=T0 + timedelta(hours=1, minutes=30),
        meter_stop_wh=D("8500"),
        stop_reason="EVDisconnected",
    )
    meter(tx, T0 + timedelta(minutes=5), sample("2000"))
    response = signed_in(client, operator).get(reverse("operator:session_summary", args=[tx.pk]))
    body = response.content.decode()
    assert 'id="session-energy">7500 Wh<' in body
    assert "1:30:00" in body
    assert "EVDisconnected" in body
    assert "<html" not in body


def test_the_detail_lists_the_2x_events_in_order(client, operator):
    tx = make_session(StationFactory())
    for seq, kind in [(1, "Updated"), (0, "Started")]:
        TransactionEvent.objects.create(
            transaction=tx,
            seq_no=seq,
            event_type=kind,
            trigger_reason="Authorized",
            timestamp=T0,
            charging_state="Charging",
        )
    response = signed_in(client, operator).get(reverse("operator:session_detail", args=[tx.pk]))
    assert [event.seq_no for event in response.context["events"]] == [0, 1]
    assert "Authorized" in response.content.decode()


def test_the_series_converts_units_and_counts_from_the_start(client, operator):
    tx = make_session(StationFactory())
    first, second, third = (
        T0 + timedelta(minutes=1),
        T0 + timedelta(minutes=2),
        T0 + timedelta(minutes=3),
    )
    meter(
        tx,
        first,
        sample("1.25", unit="kWh"),
        sample("7.2", measurand="Power.Active.Import", unit="kW"),
    )
    meter(
        tx,
        second,
        sample("1600", unit="Wh"),
        *[
            sample("2000", measurand="Power.Active.Import", unit="W", phase=p)
            for p in ("L1", "L2", "L3")
        ],
        sample("55", measurand="SoC", unit="Percent"),
    )
    meter(tx, third, sample("80", measurand="SoC"), sample("not-a-number"))
    response = signed_in(client, operator).get(reverse("operator:session_series", args=[tx.pk]))
    assert response.json() == {
        "t": [first.timestamp(), second.timestamp(), third.timestamp()],
        "power_w": [7200.0, 6000.0, None],
        "energy_wh": [250.0, 600.0, None],
        "soc_percent": [None, 55.0, 80.0],
        "stored": 3,
        "state": "active",
    }


def test_a_long_session_is_thinned_to_at_most_2000_points_first_and_newest_kept(
    client, operator, django_assert_max_num_queries
):
    tx = make_session(StationFactory())
    MeterValue.objects.bulk_create(
        MeterValue(
            station=tx.station,
            transaction=tx,
            evse_id=1,
            timestamp=T0 + timedelta(seconds=n),
            sampled_values=[sample(str(1000 + n))],
            dedup_key=str(n),
        )
        for n in range(5001)
    )
    client = signed_in(client, operator)
    client.get(reverse("operator:session_list"))
    # Session, user, staff profile, the session, the count, the thinned values.
    with django_assert_max_num_queries(6):
        series = client.get(reverse("operator:session_series", args=[tx.pk])).json()
    assert series["stored"] == 5001
    assert 1500 < len(series["t"]) <= 2000
    assert series["t"][0] == T0.timestamp()
    assert series["t"][-1] == (T0 + timedelta(seconds=5000)).timestamp()
    assert series["energy_wh"][-1] == 5000.0
    assert series["t"] == sorted(series["t"])


def test_the_live_server_streams_the_export_in_pieces(server, operator):
    """Under ASGI (daphne) the export is an async stream: the same CSV, header first."""
    station = StationFactory(identity="CP-STREAM")
    for n in range(5):
        make_session(
            station,
            transaction_id=f"S{n}",
            started_at=T0 + timedelta(hours=n),
            state=Transaction.State.ACTIVE,
        )
    client = Client()
    client.force_login(operator)
    request = urllib.request.Request(  # noqa: S310 - the loopback test server
        f"{server.http_url}{reverse('operator:session_export')}",
        headers={"Cookie": f"sessionid={client.cookies['sessionid'].value}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(response.read().decode())))
    assert rows[0][0] == "station"
    assert [row[3] for row in rows[1:]] == ["S4", "S3", "S2", "S1", "S0"]
