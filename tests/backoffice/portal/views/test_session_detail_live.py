"""The session page while it is open: the card's refresh carries the rest of the page once the
session has ended (heading, details, actions; out of band), and only the card while it runs.
Energy reads without trailing zeros everywhere."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.portal.models import DriverSession
from stations.models import Transaction

from .conftest import make_session, signed_in

pytestmark = pytest.mark.django_db


def _card(client, tx, **params):
    response = client.get(reverse("portal:session_card", args=[tx.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def _end(tx, *, stop_reason: str = "Remote", meter_stop_wh: str = "3500") -> None:
    Transaction.objects.filter(pk=tx.pk).update(
        state=Transaction.State.COMPLETED,
        stopped_at=timezone.now(),
        meter_stop_wh=D(meter_stop_wh),
        stop_reason=stop_reason,
    )


def test_the_page_has_the_parts_an_ended_session_swaps(client, driver, driver_session):
    page = signed_in(client, driver).get(reverse("portal:session", args=[driver_session.pk]))
    body = page.content.decode()
    assert 'id="session-heading"' in body and "Charging now" in body
    assert 'id="session-facts"' in body
    assert f'id="session-{driver_session.pk}-actions"' in body
    # Nothing is out of band on the page itself.
    assert "hx-swap-oob" not in body


def test_a_running_sessions_refresh_is_the_card_alone(client, driver, driver_session):
    body = _card(signed_in(client, driver), driver_session, detail=1)
    assert body.lstrip().startswith("<section")
    assert 'data-testid="session-power">7.2' in body
    assert "hx-swap-oob" not in body
    # The limits form is not sent again: what the driver types stays.
    assert 'name="energy_kwh"' not in body


def test_an_ended_sessions_refresh_brings_the_heading_details_and_actions(
    client, driver, driver_session
):
    DriverSession.objects.filter(transaction=driver_session).update(
        limit_energy_wh=D("2500"), limit_reached="energy", limit_reached_at=timezone.now()
    )
    _end(driver_session)
    body = _card(signed_in(client, driver), driver_session, detail=1)

    assert body.lstrip().startswith("<section")
    assert 'data-testid="session-state">Ended' in body
    assert body.count('hx-swap-oob="true"') == 3
    heading = body[body.index('<h1 id="session-heading"') :]
    assert heading.startswith('<h1 id="session-heading" data-testid="session-heading" hx-swap')
    assert "Charging now" not in body and "Session of" in body
    # The details: the end, the final energy (2500 Wh = 3500 - 1000), why it stopped.
    facts = body[body.index('id="session-facts"') :]
    stopped_at = Transaction.objects.get(pk=driver_session.pk).stopped_at
    ended = timezone.localtime(stopped_at).strftime("%Y-%m-%d %H:%M")
    assert f'data-testid="session-ended">{ended}<' in facts
    assert 'data-testid="session-total-energy">2.5 kWh<' in facts
    assert 'data-testid="session-limit-reached">Energy limit reached' in facts
    assert 'data-testid="session-stop-reason">Stopped at your limit<' in facts
    # The actions go: no stop button, no limits form.
    actions = body[body.index(f'id="session-{driver_session.pk}-actions"') :]
    assert actions.startswith(f'id="session-{driver_session.pk}-actions" hx-swap-oob="true"')
    assert 'data-testid="stop-session"' not in body
    assert 'data-testid="save-limits"' not in body


def test_the_home_cards_refresh_is_the_card_alone_even_when_ended(client, driver, driver_session):
    # The home page reloads itself when its set of running sessions changes.
    _end(driver_session)
    body = _card(signed_in(client, driver), driver_session)
    assert "hx-swap-oob" not in body
    assert 'data-testid="session-state">Ended' in body


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        ("Remote", "Stopped from the app or by the operator"),
        ("EVDisconnected", "Car unplugged"),
        ("SomethingNew", "SomethingNew"),  # as the station said it
    ],
)
def test_the_stop_reason_is_in_the_drivers_words(client, driver, driver_session, reason, shown):
    _end(driver_session, stop_reason=reason)
    response = signed_in(client, driver).get(reverse("portal:session", args=[driver_session.pk]))
    assert f'data-testid="session-stop-reason">{shown}<' in response.content.decode()


# --- energy without trailing zeros -----------------------------------------------------------


def test_energy_reads_without_trailing_zeros(client, driver, station):
    token = driver.id_tokens.get()
    tx = make_session(
        station,
        token,
        transaction_id="E1",
        state=Transaction.State.COMPLETED,
        started_at=timezone.now() - timedelta(hours=1),
        stopped_at=timezone.now(),
        meter_stop_wh=D("21000"),  # 20 kWh
    )
    DriverSession.objects.filter(transaction=tx).update(limit_energy_wh=D("1500"))
    client = signed_in(client, driver)
    history = client.get(reverse("portal:sessions")).content.decode()
    detail = client.get(reverse("portal:session", args=[tx.pk])).content.decode()
    assert 'data-testid="history-energy">20 kWh<' in history
    assert 'data-testid="session-energy">20 <small>kWh' in detail
    assert 'data-testid="session-total-energy">20 kWh<' in detail
    assert "Set to stop\n    at 1.5 kWh" in detail


def test_the_limits_form_shows_a_round_limit_plainly(client, driver, driver_session):
    # 20 kWh, not 2E+1 (a normalized Decimal) or 20.000.
    DriverSession.objects.filter(transaction=driver_session).update(limit_energy_wh=D("20000.0"))
    body = (
        signed_in(client, driver)
        .get(reverse("portal:session", args=[driver_session.pk]))
        .content.decode()
    )
    assert 'name="energy_kwh" value="20" step="0.1" inputmode="decimal" min="0.1"' in body
    assert "at 20 kWh" in body
