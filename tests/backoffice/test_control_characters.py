"""A URL with control characters is a clear 400 on every route, never a 500 (hole 10)."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from backoffice.request_checks import BAD_URL
from tests.factories.stations import StationFactory

_PARAMETER = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)")


def route_paths(resolvers=None, prefix: str = "") -> list[str]:
    """Every route of the project, each parameter given as `{}` to fill in."""
    paths = []
    for entry in get_resolver().url_patterns if resolvers is None else resolvers:
        pattern = prefix + str(entry.pattern).lstrip("^").rstrip("$").replace("\\Z", "")
        pattern = _PARAMETER.sub("{}", pattern)
        if isinstance(entry, URLResolver):
            paths += route_paths(entry.url_patterns, pattern)
        elif isinstance(entry, URLPattern) and "{}" in pattern:
            paths.append("/" + pattern)
    return sorted(set(paths))


def test_the_route_list_covers_each_kind_of_route():
    paths = route_paths()
    for expected in (
        "/stations/{}/",
        "/api/v1/stations/{}/",
        "/portal/start/{}/{}/{}/",
        "/files/upload/{}/",
        "/admin/stations/station/{}/change/",
    ):
        assert expected in paths


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "admin", "superuser", "driver"])
def test_every_route_answers_400_for_a_nul(client, admin, admin_user, driver, who):
    signed_in = {"admin": admin, "superuser": admin_user, "driver": driver}.get(who)
    if signed_in is not None:
        client.force_login(signed_in)
    for pattern in route_paths():
        path = pattern.replace("{}", "CP%001")
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 400, (path, method.__name__, response.status_code)
            assert response.content.decode() == BAD_URL


@pytest.mark.django_db
@pytest.mark.parametrize("character", ["%01", "%09", "%0A", "%1F", "%7F"])
def test_other_control_characters_are_a_400_too(client, admin, character):
    client.force_login(admin)
    for path in ("/stations/{}/", "/api/v1/stations/{}/", "/admin/stations/station/{}/change/"):
        assert client.get(path.format(f"CP{character}1")).status_code == 400, path


@pytest.mark.django_db
def test_a_nul_in_the_query_is_a_400(client, admin):
    client.force_login(admin)
    for url in ("/sessions/?station=%00", "/api/v1/transactions/?station=%00", "/?q=a%00b"):
        assert client.get(url).status_code == 400, url


@pytest.mark.django_db
def test_printable_odd_ids_still_reach_their_station(client, admin):
    StationFactory(identity="CP *1")
    client.force_login(admin)
    assert client.get("/stations/CP%20%2A1/").status_code == 200
    assert client.get("/api/v1/stations/CP%20%2A1/").status_code == 200


def test_through_the_real_server_a_nul_is_400_before_authentication(server):
    for path in ("/stations/%00/", "/api/v1/stations/%00/", "/portal/start/%00/1/1/"):
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(server.http_url + path, timeout=10)  # noqa: S310 (loopback)
        assert answer.value.code == 400, path
