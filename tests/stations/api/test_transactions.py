"""GET /api/v1/transactions/ and /api/v1/transactions/<id>/: scoped, filtered, with meters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model

from backoffice.accounts.models import IdToken
from backoffice.api.filters import STARTED_AFTER_BEFORE
from stations.models import Evse, MeterValue, Transaction, TransactionEvent
from tests.factories.stations import SiteFactory, StationFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/transactions/"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["transaction_id"] for row in response.json()["results"]]


@pytest.fixture
def sessions(driver, other_driver):
    """At CP-X (site X): T1 (the driver's, done) and T2 (the other driver's, active);
    at CP-Y (site Y): T3 (nobody's), started in that order an hour apart."""
    x = StationFactory(identity="CP-X", site=SiteFactory(name="X"))
    y = StationFactory(identity="CP-Y", site=SiteFactory(name="Y"))
    mine = IdToken.objects.get(id_token="DRIVER-TAG")
    theirs = IdToken.objects.get(id_token="OTHER-DRIVER-TAG")
    evse = Evse.objects.create(station=x, evse_id=1)
    return {
        "T1": Transaction.objects.create(
            station=x,
            evse=evse,
            transaction_id="T1",
            id_tag=mine.id_token,
            id_token=mine,
            state=Transaction.State.COMPLETED,
            started_at=T0,
            stopped_at=T0 + timedelta(minutes=30),
            meter_start_wh=D("1000.000"),
            meter_stop_wh=D("8500.500"),
        ),
        "T2": Transaction.objects.create(
            station=x,
            transaction_id="T2",
            id_tag=theirs.id_token,
            id_token=theirs,
            started_at=T0 + timedelta(hours=1),
        ),
        "T3": Transaction.objects.create(
            station=y, transaction_id="T3", started_at=T0 + timedelta(hours=2)
        ),
    }


def test_anonymous_is_401(api, sessions):
    assert api().get(LIST).status_code == 401


def test_staff_see_every_session_newest_first(api, sessions, viewer):
    assert ids(api(viewer).get(LIST)) == ["T3", "T2", "T1"]


def test_a_site_operator_sees_only_their_sites_sessions(api, sessions, other_site_operator):
    assert ids(api(other_site_operator).get(LIST)) == []
    t3 = sessions["T3"]
    other_site_operator.staff_profile.sites.add(t3.station.site)
    # A fresh user object, as the next request would load: the role is read once per object.
    user = get_user_model().objects.get(pk=other_site_operator.pk)
    assert ids(api(user).get(LIST)) == ["T3"]


def test_a_driver_sees_only_their_own_sessions(api, sessions, driver, other_driver):
    assert ids(api(driver).get(LIST)) == ["T1"]
    assert ids(api(other_driver).get(LIST)) == ["T2"]
    assert api(driver).get(f"{LIST}{sessions['T2'].pk}/").status_code == 404
    assert api(driver).get(f"{LIST}{sessions['T1'].pk}/").status_code == 200


def test_sessions_are_filtered_by_station_state_and_time(api, sessions, operator):
    client = api(operator)
    assert ids(client.get(LIST, {"station": "CP-X"})) == ["T2", "T1"]
    assert ids(client.get(LIST, {"state": "active"})) == ["T3", "T2"]
    assert ids(client.get(LIST, {"state": "completed", "station": "CP-X"})) == ["T1"]
    window = {
        "started_after": (T0 + timedelta(minutes=30)).isoformat(),
        "started_before": (T0 + timedelta(hours=2)).isoformat(),
    }
    assert ids(client.get(LIST, window)) == ["T2"]


def test_bad_filters_get_400_with_field_errors(api, sessions, operator):
    response = api(operator).get(LIST, {"state": "paused", "started_after": "yesterday"})
    assert response.status_code == 400
    assert set(response.json()) == {"state", "started_after"}
    backwards = api(operator).get(
        LIST, {"started_after": T0.isoformat(), "started_before": T0.isoformat()}
    )
    assert backwards.json() == {"started_after": [STARTED_AFTER_BEFORE]}


def test_the_detail_gives_energy_meter_values_in_time_order_and_events(api, sessions, operator):
    t1 = sessions["T1"]
    for minutes, value in ((20, "6000"), (10, "3000")):
        MeterValue.objects.create(
            station=t1.station,
            transaction=t1,
            evse_id=1,
            connector_id=1,
            timestamp=T0 + timedelta(minutes=minutes),
            sampled_values=[{"value": value, "measurand": "Energy.Active.Import.Register"}],
            dedup_key=f"k{minutes}",
        )
    TransactionEvent.objects.create(
        transaction=t1, seq_no=0, event_type="Started", trigger_reason="Authorized", timestamp=T0
    )
    body = api(operator).get(f"{LIST}{t1.pk}/").json()
    assert body["station"] == "CP-X"
    assert body["evse_id"] == 1
    assert body["connector_id"] is None
    assert (body["meter_start_wh"], body["energy_wh"]) == ("1000.000", "7500.500")
    assert [mv["sampled_values"][0]["value"] for mv in body["meter_values"]] == ["3000", "6000"]
    assert body["meter_values"][0]["timestamp"] == "2026-03-01T08:10:00Z"
    assert [(e["seq_no"], e["event_type"]) for e in body["events"]] == [(0, "Started")]


def test_a_session_outside_the_scope_is_404(api, sessions, other_site_operator, other_driver):
    for user in (other_site_operator, other_driver):
        assert api(user).get(f"{LIST}{sessions['T1'].pk}/").status_code == 404
    assert api(other_driver).get(f"{LIST}999999/").status_code == 404
