"""The driver's home: running sessions with their live values, pending starts, news."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.portal.models import DriverSession, Notification
from stations.models import Command, Transaction

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def test_it_shows_the_running_session_with_its_live_values(client, driver, driver_session):
    response = signed_in(client, driver).get(reverse("portal:home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="session-power">7.2 <small>kW' in body
    assert 'data-testid="session-energy">4.5 <small>kWh' in body
    assert 'data-testid="session-soc">63 <small>%' in body
    # The duration ticks in the page from the start time; the server renders it once.
    assert 'data-testid="session-duration" data-since="' in body
    assert f'data-live="transaction:{driver_session.pk}"' in body
    assert reverse("portal:session_stop", args=[driver_session.pk]) in body
    assert reverse("portal:session_limits", args=[driver_session.pk]) in body
    # No tariffs yet: no cost shown rather than a made-up one.
    assert 'data-testid="session-cost"' not in body


def test_it_hides_what_the_charger_did_not_report(client, driver, station):
    from .conftest import make_session

    make_session(station, driver.id_tokens.get(), transaction_id="777")
    body = signed_in(client, driver).get(reverse("portal:home")).content.decode()
    assert 'data-testid="session-power">—' in body
    assert 'data-testid="session-energy">—' in body
    assert 'data-testid="session-soc"' not in body


def test_it_does_not_show_another_drivers_session(client, driver, other_session):
    body = signed_in(client, driver).get(reverse("portal:home")).content.decode()
    assert f"session-{other_session.pk}" not in body
    assert 'data-testid="start-charging"' in body


def test_a_start_waiting_for_the_charger_is_shown(client, driver, station):
    command = Command.objects.create(
        station=station, action="RemoteStartTransaction", payload={}, result_status="Accepted"
    )
    DriverSession.objects.create(
        user=driver,
        station=station,
        evse_id=1,
        connector_id=1,
        id_tag="APP",
        start_command=command,
        start_status=DriverSession.StartStatus.ACCEPTED,
    )
    body = signed_in(client, driver).get(reverse("portal:home")).content.decode()
    assert 'data-testid="pending-start"' in body
    assert "Waiting for the charger" in body
    # While a start waits, the page asks every few seconds whether it went through.
    assert 'hx-trigger="every 3s' in body


def test_the_waiting_fragment_reloads_the_page_once_the_sessions_change(
    client, driver, driver_session
):
    url = reverse("portal:home_sessions")
    client = signed_in(client, driver)
    unchanged = client.get(url, {"active": str(driver_session.pk)})
    assert "HX-Refresh" not in unchanged
    Transaction.objects.filter(pk=driver_session.pk).update(
        state=Transaction.State.COMPLETED, stopped_at=timezone.now()
    )
    changed = client.get(url, {"active": str(driver_session.pk)})
    assert changed["HX-Refresh"] == "true"


def test_it_lists_the_newest_notifications_and_the_unread_count(client, driver):
    Notification.objects.create(user=driver, kind="session_started", title="Charging started")
    body = signed_in(client, driver).get(reverse("portal:home")).content.decode()
    assert "Charging started" in body
    assert 'data-testid="unread-count">1' in body


def test_the_driver_menu_is_shown_to_drivers_only(client, driver, operator):
    body = signed_in(client, driver).get(reverse("portal:home")).content.decode()
    assert 'class="portal-nav"' in body
    assert reverse("portal:tokens") in body
    client.logout()
    staff_page = signed_in(client, operator).get(reverse("operator:dashboard")).content.decode()
    assert 'class="portal-nav"' not in staff_page
