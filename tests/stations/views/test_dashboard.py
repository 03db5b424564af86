"""The dashboard: counts in the user's scope, recent faults and security events, live wiring."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from stations.models import (
    Connector,
    Evse,
    SecurityEvent,
    StationConnection,
    StatusEvent,
    Transaction,
    Worker,
)
from tests.factories.stations import SiteFactory, StationFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("operator:dashboard")
LIVE = reverse("operator:dashboard_live")


def _online(station) -> None:
    now = timezone.now()
    worker, _ = Worker.objects.get_or_create(
        name="w1", defaults={"started_at": now, "beat_at": now}
    )
    StationConnection.objects.create(
        station=station,
        worker=worker,
        channel_name=f"c{station.pk}",
        ocpp_version="1.6",
        connected_at=now,
    )


def _connector(station, status: str, evse_id: int = 1) -> Connector:
    evse = Evse.objects.create(station=station, evse_id=evse_id)
    return Connector.objects.create(evse=evse, connector_id=1, status=status)


_ids = itertools.count(1)


def _session(station, *, started_at, state="active", start="1000", stop=None):
    return Transaction.objects.create(
        station=station,
        transaction_id=str(next(_ids)),
        state=state,
        started_at=started_at,
        meter_start_wh=D(start),
        meter_stop_wh=D(stop) if stop is not None else None,
    )


@pytest.fixture
def network():
    """Four stations: online+charging, online+faulted connector, offline, faulted (station)."""
    now = timezone.now()
    charging = StationFactory(identity="CP-CHARGING")
    _online(charging)
    _connector(charging, "Charging")
    faulted_connector = StationFactory(identity="CP-FAULTED-CONNECTOR")
    _online(faulted_connector)
    _connector(faulted_connector, "Faulted")
    StationFactory(identity="CP-OFFLINE")
    faulted = StationFactory(identity="CP-FAULTED", status="Faulted", error_code="GroundFailure")
    _session(charging, started_at=now, start="1000", stop="13500")
    _session(faulted, started_at=now - timedelta(days=2), state="completed", stop="9000")
    StatusEvent.objects.create(
        station=faulted, status="Faulted", error_code="GroundFailure", timestamp=now
    )
    StatusEvent.objects.create(
        station=charging, status="Charging", error_code="NoError", timestamp=now
    )
    SecurityEvent.objects.create(station=faulted, type="TamperDetectionActivated", timestamp=now)
    return {"charging": charging, "faulted": faulted}


def _stat(response, name: str) -> str:
    html = response.content.decode()
    marker = f'data-stat="{name}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)].strip()


def test_it_counts_the_network_for_staff_of_every_site(client, viewer, network):
    client.force_login(viewer)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert _stat(response, "online") == "2"
    assert _stat(response, "offline") == "2"
    assert _stat(response, "faulted") == "2"
    assert _stat(response, "charging") == "1"
    assert _stat(response, "active-sessions") == "1"
    assert _stat(response, "sessions-today") == "1"
    assert _stat(response, "energy-today") == "12.5"


def test_it_lists_recent_faults_and_security_events(client, viewer, network):
    client.force_login(viewer)
    html = client.get(DASHBOARD).content.decode()
    assert "GroundFailure" in html
    assert "TamperDetectionActivated" in html
    # A status without an error is not a fault.
    assert "CP-CHARGING</a>" not in html.split("Recent security events")[0]


def test_it_watches_the_network_when_the_user_sees_every_site(client, operator, network):
    client.force_login(operator)
    html = client.get(DASHBOARD).content.decode()
    assert 'data-live="network"' in html
    assert "live:network from:body" in html


def test_a_site_limited_user_counts_only_their_sites(client, network):
    from tests.factories.accounts import StaffProfileFactory

    site = SiteFactory(name="Limited")
    mine = StationFactory(identity="CP-MINE", site=site, status="Faulted")
    user = StaffProfileFactory(user__username="limited", role="viewer", sites=[site]).user
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert _stat(response, "online") == "0"
    assert _stat(response, "offline") == "1"
    assert _stat(response, "faulted") == "1"
    assert _stat(response, "active-sessions") == "0"
    html = response.content.decode()
    assert 'data-live="network"' not in html
    assert f"station:{mine.pk}" in html
    assert f"station:{network['faulted'].pk}" not in html
    assert "every 10s" in html
    assert "GroundFailure" not in html
    assert "TamperDetectionActivated" not in html


def test_the_live_fragment_is_the_counts_without_the_page(client, viewer, network):
    client.force_login(viewer)
    response = client.get(LIVE, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert _stat(response, "faulted") == "2"
    assert "<html" not in html
    assert "data-live" not in html


@pytest.mark.parametrize("url", [DASHBOARD, LIVE])
def test_a_driver_is_refused(client, driver, url):
    client.force_login(driver)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [DASHBOARD, LIVE])
def test_anonymous_users_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_dashboard_costs_a_fixed_number_of_queries(
    client, viewer, network, django_assert_num_queries
):
    client.force_login(viewer)
    client.get(DASHBOARD)  # warm the session
    for i in range(20):
        station = StationFactory(identity=f"CP-MORE-{i}")
        _connector(station, "Faulted")
        StatusEvent.objects.create(station=station, status="Faulted", timestamp=timezone.now())
        SecurityEvent.objects.create(station=station, type="X", timestamp=timezone.now())
    # session, user, staff profile, station counts, session counts, faults, security events
    with django_assert_num_queries(7):
        response = client.get(DASHBOARD)
    assert _stat(response, "faulted") == "22"


def test_a_limited_dashboard_costs_a_fixed_number_of_queries(
    client, network, django_assert_max_num_queries
):
    from tests.factories.accounts import StaffProfileFactory

    site = SiteFactory()
    for i in range(10):
        StationFactory(identity=f"CP-L-{i}", site=site)
    user = StaffProfileFactory(user__username="limited", sites=[site]).user
    client.force_login(user)
    # + the profile's sites and the watched station ids
    with django_assert_max_num_queries(9):
        response = client.get(DASHBOARD)
    assert _stat(response, "offline") == "10"
