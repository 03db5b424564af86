"""deploy/nginx/backoffice.conf, started with Debian's nginx in front of the real server:
security profile 2 chargers over wss:// (TLS 1.2 or higher), plain ws:// for the others, the
pages over HTTPS and the static files from disk."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from stations.models import Station
from tests.deploy.nginx import Nginx
from tests.factories.stations import STATION_PASSWORD, StationFactory
from tests.ocpp_client import basic_auth, booted
from tests.tls import (
    PlainEndpoint,
    ServerTls,
    WssEndpoint,
    handshake_error,
    legacy_client_context,
)


def wss(nginx: Nginx) -> WssEndpoint:
    return WssEndpoint(f"127.0.0.1:{nginx.https_port}")


async def refusal_status(url: str, identity: str, context: ssl.SSLContext | None = None) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(
            url,
            subprotocols=["ocpp1.6"],
            additional_headers=basic_auth(identity, STATION_PASSWORD),
            ssl=context,
            open_timeout=10,
        ):
            pass
    return refused.value.response.status_code


@pytest.mark.parametrize("subprotocol", ["ocpp1.6", "ocpp2.0.1"])
@pytest.mark.asyncio
async def test_a_profile_2_station_boots_over_wss_through_nginx(
    nginx, server_tls: ServerTls, transactional_db, subprotocol
):
    station = StationFactory(security_profile=Station.SecurityProfile.TLS_BASIC)
    context = server_tls.client_context()
    async with booted(wss(nginx), station.identity, subprotocol=subprotocol, ssl=context):
        station.refresh_from_db()
        assert station.ocpp_version == subprotocol.removeprefix("ocpp")


@pytest.mark.asyncio
async def test_a_profile_2_station_over_plain_ws_through_nginx_is_refused(nginx, transactional_db):
    station = StationFactory(security_profile=Station.SecurityProfile.TLS_BASIC)
    url = f"ws://127.0.0.1:{nginx.http_port}/ocpp/{station.identity}"
    assert await refusal_status(url, station.identity) == 403


@pytest.mark.asyncio
async def test_a_forged_forwarded_proto_over_plain_ws_is_not_believed(nginx, transactional_db):
    # nginx sets X-Forwarded-Proto itself: the charger's own "https" never reaches the app.
    station = StationFactory(security_profile=Station.SecurityProfile.TLS_BASIC)
    url = f"ws://127.0.0.1:{nginx.http_port}/ocpp/{station.identity}"
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(
            url,
            subprotocols=["ocpp1.6"],
            additional_headers={
                **basic_auth(station.identity, STATION_PASSWORD),
                "X-Forwarded-Proto": "https",
            },
            open_timeout=10,
        ):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.asyncio
async def test_a_profile_1_station_connects_over_plain_ws_through_nginx(nginx, transactional_db):
    station = StationFactory(security_profile=Station.SecurityProfile.BASIC)
    async with booted(PlainEndpoint(f"127.0.0.1:{nginx.http_port}"), station.identity):
        station.refresh_from_db()
        assert station.ocpp_version == "1.6"


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1])
def test_nginx_refuses_tls_below_1_2(nginx, server_tls: ServerTls, version):
    error = handshake_error(nginx.https_port, legacy_client_context(server_tls.root, version))
    # The server's alert, not the client's refusal to offer: "tlsv1 alert protocol version" or
    # "unsupported protocol".
    assert "protocol version" in error or "unsupported protocol" in error, error


def test_nginx_serves_the_pages_over_https(nginx, server_tls: ServerTls, transactional_db):
    context = server_tls.client_context()
    with urllib.request.urlopen(nginx.https_url("/accounts/login/"), context=context) as page:  # noqa: S310
        assert page.status == 200
        assert b"<form" in page.read()


@pytest.mark.django_db
def test_plain_http_pages_move_to_https(nginx):
    request = urllib.request.Request(f"http://127.0.0.1:{nginx.http_port}/accounts/login/")
    opener = urllib.request.build_opener(_NoRedirect())
    with pytest.raises(urllib.error.HTTPError) as moved:
        opener.open(request)
    assert moved.value.code == 301
    assert moved.value.headers["Location"] == (
        f"https://127.0.0.1:{nginx.https_port}/accounts/login/"
    )


@pytest.mark.django_db
def test_nginx_serves_static_files_from_static_root(nginx, server_tls: ServerTls):
    context = server_tls.client_context()
    url = nginx.https_url("/static/css/site.0123abcd.css")
    with urllib.request.urlopen(url, context=context) as response:  # noqa: S310
        assert response.read() == b"body { color: black; }\n"
        assert response.headers["Content-Type"].startswith("text/css")
        assert "max-age=604800" in response.headers["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "size", "refused_by_nginx"),
    [
        # The test renders BACKOFFICE_UPLOAD_MAX=1m, BACKOFFICE_FIRMWARE_MAX=2m and
        # BACKOFFICE_BODY_MAX=10m.
        ("/files/upload/any-token/", 1024 * 1024 + 1, True),
        ("/admin/stations/firmware/add/", 2 * 1024 * 1024 + 1, True),
        ("/admin/stations/firmware/add/", 1024 * 1024 + 1, False),
        ("/api/v1/stations/", 10 * 1024 * 1024 + 1, True),
        ("/api/v1/stations/", 2 * 1024 * 1024 + 1, False),
    ],
)
def test_nginx_caps_request_bodies_per_location(
    nginx, server_tls: ServerTls, path, size, refused_by_nginx
):
    request = urllib.request.Request(  # noqa: S310 - an https:// URL of the test's nginx
        nginx.https_url(path), data=b"x" * size, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(request, context=server_tls.client_context())  # noqa: S310
    # nginx's 413 page names nginx; past it, the app answers (and refuses) itself.
    from_nginx = answered.value.code == 413 and b"nginx" in answered.value.read()
    assert from_nginx == refused_by_nginx


@pytest.mark.django_db
def test_nginx_keeps_quiet_charger_sockets_for_an_hour(nginx):
    # nginx's own dump of the configuration it runs: every /ocpp/ location waits an hour for
    # a quiet socket (its default of 60 s would cut chargers between heartbeats).
    dumped = nginx.dump_config()
    locations = [block for block in dumped.split("location ")[1:] if block.startswith("/ocpp/")]
    assert len(locations) == 2  # the ws:// and the wss:// server
    for block in locations:
        settings = block.split("}", 1)[0]
        assert "proxy_read_timeout 1h;" in settings
        assert "proxy_send_timeout 1h;" in settings


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
