"""Registering a station: operators only, validated, password generated and shown once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from backoffice.audit.models import AuditEvent
from stations.forms.registration import (
    SITE_REQUIRED,
    STATION_ID_CHARACTERS,
    STATION_ID_RESERVED,
)
from stations.models import Site, Station
from stations.services.inventory.registration import STATION_ID_TAKEN
from stations.services.security import station_auth
from tests.factories.stations import SiteFactory, StationFactory

pytestmark = pytest.mark.django_db

REGISTER = reverse("operator:station_register")


def done(identity: str) -> str:
    return reverse("operator:station_registered", args=[identity])


@pytest.fixture
def site():
    return SiteFactory(name="Harbour")


def _register(client, at, **overrides):
    data = {"identity": "CP-NEW-1", "name": "Bay 1", "site": at.pk, "security_profile": "1"}
    data.update(overrides)
    return client.post(REGISTER, data)


def test_an_operator_registers_a_station_and_sees_the_password_once(client, operator, site):
    client.force_login(operator)
    first = _register(client, site)
    assert first.status_code == 200
    station = Station.objects.get(identity="CP-NEW-1")
    assert station.site == site
    assert station.security_profile == 1
    assert station.registration_status == Station.Registration.ACCEPTED

    password = first.context["password"]
    assert len(password) >= station_auth.PASSWORD_MIN_LENGTH
    assert station_auth.check_password(password, station.password_hash)
    html = first.content.decode()
    assert password in html
    assert "ws://testserver/ocpp/CP-NEW-1" in html
    assert first["Cache-Control"] == "no-store"

    again = client.get(done("CP-NEW-1"))
    assert again.context["password"] == ""
    assert password not in again.content.decode()
    assert "ws://testserver/ocpp/CP-NEW-1" in again.content.decode()


def test_the_password_waits_in_no_cookie_and_no_session(client, operator, site):
    client.force_login(operator)
    shown = _register(client, site)
    password = shown.context["password"]
    assert password
    # Only the answer to the registration holds it: not a messages cookie, not the session.
    assert all(password not in morsel.value for morsel in shown.cookies.values())
    assert all(password not in morsel.value for morsel in client.cookies.values())
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    stored = Session.objects.get(session_key=session_key)
    assert password not in str(stored.get_decoded())


def test_the_registration_is_audited(client, admin, site):
    client.force_login(admin)
    _register(client, site)
    event = AuditEvent.objects.get(action="stations.station_registered")
    assert event.actor == admin
    assert event.data == {"identity": "CP-NEW-1", "site": site.pk, "security_profile": 1}
    assert "password" not in str(event.data)


def test_profile_2_is_given_a_tls_url(client, operator, site):
    client.force_login(operator)
    response = _register(client, site, security_profile="2")
    assert "wss://testserver/ocpp/CP-NEW-1" in response.content.decode()
    assert "wss://testserver/ocpp/CP-NEW-1" in client.get(done("CP-NEW-1")).content.decode()


def test_an_https_page_gives_a_tls_url(client, operator, site):
    client.force_login(operator)
    _register(client, site)
    page = client.get(done("CP-NEW-1"), secure=True).content.decode()
    assert "wss://testserver/ocpp/CP-NEW-1" in page


def test_profile_0_gets_no_password_and_a_warning(client, operator, site):
    client.force_login(operator)
    form = client.get(REGISTER).content.decode()
    assert "only on a closed, trusted network" in form
    response = _register(client, site, security_profile="0")
    station = Station.objects.get(identity="CP-NEW-1")
    assert station.password_hash == ""
    assert response.context["password"] == ""
    page = client.get(done("CP-NEW-1"))
    assert page.context["password"] == ""
    assert "only on a closed, trusted network" in page.content.decode()


@pytest.mark.parametrize(
    ("identity", "message"),
    [
        ("", "This field is required."),
        ("CP:1", str(STATION_ID_CHARACTERS)),
        ("CP/1", str(STATION_ID_CHARACTERS)),
        ("CP 1", str(STATION_ID_CHARACTERS)),
        ("X" * 49, "at most 48 characters"),
        ("CP-TAKEN", str(STATION_ID_TAKEN)),
        ("cp-taken", str(STATION_ID_TAKEN)),
        ("Register", str(STATION_ID_RESERVED)),
    ],
)
def test_a_bad_station_id_shows_an_error_next_to_it(client, operator, site, identity, message):
    StationFactory(identity="CP-TAKEN")
    client.force_login(operator)
    response = _register(client, site, identity=identity)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["identity"])
    assert Station.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_ocpp_identifier_characters_are_allowed(client, operator, site):
    client.force_login(operator)
    response = _register(client, site, identity="A-b_c.d*e=f+g|h@i")
    assert response.status_code == 200
    assert response.context["station"].identity == "A-b_c.d*e=f+g|h@i"
    assert Station.objects.filter(identity="A-b_c.d*e=f+g|h@i").exists()


def test_an_unknown_security_profile_is_refused(client, operator, site):
    client.force_login(operator)
    response = _register(client, site, security_profile="4")
    assert "security_profile" in response.context["form"].errors


def test_a_limited_operator_registers_only_at_their_sites(client, other_site_operator, site):
    client.force_login(other_site_operator)
    response = _register(client, site)
    assert "site" in response.context["form"].errors
    response = _register(client, site, site="")
    assert str(SITE_REQUIRED) in response.context["form"].errors["site"]
    own = Site.objects.get(name="Other site")
    response = _register(client, own)
    assert response.status_code == 200
    assert Station.objects.get(identity="CP-NEW-1").site == own
    assert client.get(done("CP-NEW-1")).status_code == 200


def test_staff_of_every_site_may_register_a_station_without_a_site(client, operator):
    client.force_login(operator)
    response = client.post(REGISTER, {"identity": "CP-LOOSE", "site": "", "security_profile": "1"})
    assert response.status_code == 200
    assert Station.objects.get(identity="CP-LOOSE").site is None


def test_the_result_page_of_another_sites_station_is_not_found(client, other_site_operator, site):
    StationFactory(identity="CP-ELSEWHERE", site=site)
    client.force_login(other_site_operator)
    assert client.get(done("CP-ELSEWHERE")).status_code == 404


def test_a_viewer_may_not_register(client, viewer, site):
    client.force_login(viewer)
    assert client.get(REGISTER).status_code == 403
    assert _register(client, site).status_code == 403
    assert not Station.objects.exists()


def test_a_driver_may_not_register(client, driver, site):
    client.force_login(driver)
    assert client.get(REGISTER).status_code == 403
    assert _register(client, site).status_code == 403


def test_the_form_costs_a_fixed_number_of_queries(client, operator, django_assert_max_num_queries):
    for _ in range(20):
        SiteFactory()
    client.force_login(operator)
    with django_assert_max_num_queries(4):
        assert client.get(REGISTER).status_code == 200


def test_a_profile_3_station_is_registered_with_a_wss_url(client, operator, site):
    client.force_login(operator)
    response = _register(client, site, identity="CP-MTLS", security_profile="3")
    assert response.status_code == 200
    assert Station.objects.get(identity="CP-MTLS").security_profile == 3
    assert "wss://testserver/ocpp/CP-MTLS" in response.content.decode()
