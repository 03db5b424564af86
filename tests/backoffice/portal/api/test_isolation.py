"""Every /api/v1/me/ endpoint: 401 without a user, 404 for another driver's ids (DESIGN §4)."""

from __future__ import annotations

import pytest

from backoffice.accounts.models import IdToken
from backoffice.portal.models import DriverSession, Notification
from stations.models import Command
from tests.factories.stations import StationFactory

from . import data

pytestmark = pytest.mark.django_db

# (method, path with {session}/{token}/{notification}, body)
BY_ID = [
    ("get", "/api/v1/me/sessions/{session}/", None),
    ("post", "/api/v1/me/sessions/{session}/stop/", None),
    ("post", "/api/v1/me/sessions/{session}/limits/", {"energy_wh": "5000"}),
    ("get", "/api/v1/me/tokens/{token}/", None),
    ("patch", "/api/v1/me/tokens/{token}/", {"label": "mine now"}),
    ("post", "/api/v1/me/tokens/{token}/block/", None),
    ("post", "/api/v1/me/tokens/{token}/unblock/", None),
    ("post", "/api/v1/me/notifications/{notification}/read/", None),
]
WITHOUT_ID = [
    ("get", "/api/v1/me/sessions/", None),
    ("post", "/api/v1/me/start/", {"station": "CP-ISO", "evse_id": 1}),
    ("get", "/api/v1/me/starts/", None),
    ("get", "/api/v1/me/sites/", None),
    ("get", "/api/v1/me/stations/CP-ISO/", None),
    ("get", "/api/v1/me/tokens/", None),
    ("post", "/api/v1/me/tokens/", {"id_token": "ABCD1234", "type": "ISO14443"}),
    ("get", "/api/v1/me/notifications/", None),
    ("post", "/api/v1/me/notifications/read/", None),
    ("get", "/api/v1/me/profile/", None),
    ("patch", "/api/v1/me/profile/", {"phone": "+49 1"}),
]


@pytest.fixture
def theirs(other_driver):
    """The other driver's session (running, followed by the portal), card and notification."""
    station = StationFactory(identity="CP-ISO")
    token = IdToken.objects.get(user=other_driver)
    tx = data.session(station, token)
    DriverSession.objects.create(
        user=other_driver, station=station, evse_id=1, id_tag=token.id_token, transaction=tx
    )
    note = Notification.objects.create(user=other_driver, kind="session_started", title="Theirs")
    return {"session": tx.pk, "token": token.pk, "notification": note.pk}


def _call(client, method, path, body):
    return (
        getattr(client, method)(path, body, format="json")
        if body
        else getattr(client, method)(path)
    )


@pytest.mark.parametrize(("method", "path", "body"), BY_ID)
def test_another_drivers_ids_are_not_found(api, driver, other_driver, theirs, method, path, body):
    before = (
        IdToken.objects.get(pk=theirs["token"]).__dict__.copy(),
        Notification.objects.get(pk=theirs["notification"]).read_at,
        DriverSession.objects.get(transaction_id=theirs["session"]).limit_energy_wh,
    )
    response = _call(api(driver), method, path.format(**theirs), body)

    assert response.status_code == 404, response.content
    token = IdToken.objects.get(pk=theirs["token"])
    assert (token.label, token.status) == (before[0]["label"], before[0]["status"])
    assert Notification.objects.get(pk=theirs["notification"]).read_at is None
    assert DriverSession.objects.get(transaction_id=theirs["session"]).limit_energy_wh is None
    assert not Command.objects.exists()


@pytest.mark.parametrize(("method", "path", "body"), BY_ID)
def test_a_missing_id_is_not_found_the_same_way(api, driver, method, path, body):
    response = _call(
        api(driver), method, path.format(session=999999, token=999999, notification=999999), body
    )
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "path", "body"), BY_ID + WITHOUT_ID)
def test_without_a_user_every_endpoint_is_401(api, theirs, method, path, body):
    response = _call(api(), method, path.format(**theirs), body)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_staff_charging_see_only_their_own_sessions_here(api, operator, theirs):
    # An operator sees every session in /api/v1/transactions/, but /me/ is theirs alone.
    assert api(operator).get("/api/v1/transactions/").json()["count"] == 1
    assert api(operator).get("/api/v1/me/sessions/").json()["count"] == 0
    assert api(operator).get(f"/api/v1/me/sessions/{theirs['session']}/").status_code == 404
