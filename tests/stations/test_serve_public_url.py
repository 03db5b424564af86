"""Without BACKOFFICE_PUBLIC_URL, QR codes and station file URLs follow the address `serve`
listens on: `make run PORT=8123` must not print codes that point at port 8000."""

from __future__ import annotations

import urllib.request

import pytest
from django.conf import settings
from django.test import Client

from stations.management.commands import serve
from stations.models import Connector, Evse


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8123"),
        ("localhost", "http://localhost:8123"),
        ("::1", "http://[::1]:8123"),
        ("0.0.0.0", "http://127.0.0.1:8123"),  # noqa: S104 - a wildcard bind is reached on loopback
        ("::", "http://[::1]:8123"),
    ],
)
def test_the_served_url_names_the_host_and_port(host, url):
    assert serve.served_url(host=host, port=8123) == url


def test_an_explicit_public_url_is_kept(monkeypatch):
    monkeypatch.setenv("BACKOFFICE_PUBLIC_URL", "https://charge.example.com")
    monkeypatch.setattr(settings, "BACKOFFICE_PUBLIC_URL", "https://charge.example.com")
    assert serve.follow_served_address(host="127.0.0.1", port=8123) is None
    assert settings.BACKOFFICE_PUBLIC_URL == "https://charge.example.com"


def test_the_qr_codes_of_a_server_on_another_port_link_to_that_port(server, station, operator):
    Connector.objects.create(evse=Evse.objects.create(station=station, evse_id=1), connector_id=1)
    client = Client()
    client.force_login(operator)
    request = urllib.request.Request(  # noqa: S310 - the test's own loopback server
        f"{server.http_url}/stations/{station.identity}/qr/",
        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies['sessionid'].value}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        body = response.read().decode()
    assert server.port != 8000
    link = f'href="http://127.0.0.1:{server.port}/portal/start/{station.identity}/1/1/"'
    assert link in body
