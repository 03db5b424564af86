"""`manage.py serve`'s own TLS endpoint (OCPP_TLS_CERT_FILE/KEY_FILE, OCPP_TLS_PORT): security
profile 2 chargers connect over wss:// with TLS 1.2 or higher; older TLS is refused, and a
client's own X-Forwarded-Proto is not believed without a trusted proxy."""

from __future__ import annotations

import ssl

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from stations.models import Station
from tests.factories.stations import STATION_PASSWORD, StationFactory
from tests.ocpp_client import basic_auth, booted
from tests.server import free_port, start_server
from tests.tls import (
    ServerTls,
    WssEndpoint,
    handshake_error,
    legacy_client_context,
    make_server_tls,
    wait_for_port,
)


@pytest.fixture(scope="module")
def server_tls(tmp_path_factory: pytest.TempPathFactory) -> ServerTls:
    return make_server_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_server(django_db_setup, django_db_blocker, server_tls: ServerTls):
    from django.conf import settings
    from django.db import connection

    tls_port = free_port()
    server = start_server(
        database_name=connection.settings_dict["NAME"],
        channel_prefix=f"{settings.CHANNEL_PREFIX}-tls",
        OCPP_TLS_CERT_FILE=str(server_tls.certificate),
        OCPP_TLS_KEY_FILE=str(server_tls.key),
        OCPP_TLS_PORT=str(tls_port),
    )
    wait_for_port(tls_port)
    server.env["tls_port"] = str(tls_port)
    yield server
    server.stop()


def endpoint(tls_server) -> WssEndpoint:
    return WssEndpoint(f"127.0.0.1:{tls_server.env['tls_port']}")


@pytest.mark.asyncio
@pytest.mark.parametrize("subprotocol", ["ocpp1.6", "ocpp2.0.1", "ocpp2.1"])
async def test_a_profile_2_station_boots_over_serves_wss_endpoint(
    tls_server, server_tls: ServerTls, transactional_db, subprotocol
):
    station = StationFactory(security_profile=Station.SecurityProfile.TLS_BASIC)
    context = server_tls.client_context()
    async with booted(endpoint(tls_server), station.identity, subprotocol=subprotocol, ssl=context):
        station.refresh_from_db()
        assert station.ocpp_version == subprotocol.removeprefix("ocpp")


@pytest.mark.asyncio
async def test_the_same_station_over_serves_plain_port_is_refused(tls_server, transactional_db):
    station = StationFactory(security_profile=Station.SecurityProfile.TLS_BASIC)
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(
            tls_server.ws_url(station.identity),
            subprotocols=["ocpp1.6"],
            additional_headers=basic_auth(station.identity, STATION_PASSWORD),
            open_timeout=10,
        ):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.asyncio
async def test_a_forwarded_proto_from_an_untrusted_peer_is_not_believed(
    tls_server, transactional_db
):
    # No TRUSTED_PROXIES here: a charger's own "X-Forwarded-Proto: https" over plain ws://
    # does not make it secure.
    station = StationFactory(security_profile=Station.SecurityProfile.TLS_BASIC)
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(
            tls_server.ws_url(station.identity),
            subprotocols=["ocpp1.6"],
            additional_headers={
                **basic_auth(station.identity, STATION_PASSWORD),
                "X-Forwarded-Proto": "https",
            },
            open_timeout=10,
        ):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1])
def test_serve_refuses_tls_below_1_2(tls_server, server_tls: ServerTls, version):
    port = int(tls_server.env["tls_port"])
    error = handshake_error(port, legacy_client_context(server_tls.root, version))
    assert "protocol version" in error or "unsupported protocol" in error, error


@pytest.mark.django_db
def test_serve_speaks_tls_1_2_and_1_3(tls_server, server_tls: ServerTls):
    port = int(tls_server.env["tls_port"])
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        context = server_tls.client_context()
        context.minimum_version = context.maximum_version = version
        assert handshake_error(port, context) == ""
