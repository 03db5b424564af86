"""Security profile 3 through deploy/nginx/backoffice.conf and Debian's nginx: mutual TLS with
a client certificate from the back office CA whose CN is the station id. Every wrong
certificate is refused at the upgrade (before any OCPP frame) and kept as a security event."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path
from urllib.parse import quote

import pytest
import websockets
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone
from websockets.exceptions import InvalidStatus

from stations.models import IssuedCertificate, SecurityEvent, Station
from stations.services.security import (
    certificate_authority,
    certificate_revocation,
    client_certificates,
)
from tests.deploy.nginx import Nginx
from tests.factories.stations import STATION_PASSWORD, StationFactory
from tests.ocpp_client import basic_auth, booted
from tests.tls import ServerTls, WssEndpoint
from tests.x509 import client_certificate_pem, csr_pem, key_pem, root_pem

pytestmark = pytest.mark.asyncio

PROFILE_3 = Station.SecurityProfile.TLS_CLIENT_CERT


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    return tmp_path


def wss(nginx: Nginx) -> WssEndpoint:
    return WssEndpoint(f"127.0.0.1:{nginx.https_port}")


def issue(station: Station, directory: Path, *, for_identity: str | None = None) -> tuple:
    """A certificate from the back office CA, as SignCertificate issues it: (row, cert, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    decision = certificate_authority.sign_request(
        station_id=station.pk, csr=csr_pem(for_identity or station.identity, key)
    )
    assert decision.accepted, decision.reason
    return decision.certificate, *files(directory, decision.certificate.certificate_pem, key)


def files(directory: Path, certificate: str, key: ec.EllipticCurvePrivateKey) -> tuple:
    name = f"client-{len(list(directory.iterdir()))}"
    certificate_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    certificate_path.write_text(certificate)
    key_path.write_text(key_pem(key))
    return certificate_path, key_path


def client(server_tls: ServerTls, certificate: Path | None = None, key: Path | None = None):
    return server_tls.client_context(certificate=certificate, key=key)


async def refused(
    nginx: Nginx, identity: str, context: ssl.SSLContext, headers: dict[str, str] | None = None
) -> int:
    """The HTTP status of the refused upgrade; fails the test if the socket is admitted."""
    with pytest.raises(InvalidStatus) as refusal:
        async with websockets.connect(
            wss(nginx).ws_url(identity),
            subprotocols=["ocpp1.6"],
            additional_headers=headers or {},
            ssl=context,
            open_timeout=10,
        ):
            pass
    return refusal.value.response.status_code


def refusal_events(station: Station) -> list[str]:
    return list(
        SecurityEvent.objects.filter(
            station=station, type=client_certificates.REFUSED_EVENT, raised_by_backoffice=True
        ).values_list("tech_info", flat=True)
    )


@pytest.mark.parametrize("subprotocol", ["ocpp1.6", "ocpp2.0.1"])
async def test_a_station_with_its_certificate_boots(
    nginx, server_tls, issuing_ca, directory, subprotocol
):
    station = StationFactory(security_profile=PROFILE_3)
    _, certificate, key = issue(station, directory)
    context = client(server_tls, certificate, key)
    async with booted(
        wss(nginx), station.identity, subprotocol=subprotocol, password=None, ssl=context
    ):
        station.refresh_from_db()
        assert station.ocpp_version == subprotocol.removeprefix("ocpp")
    assert refusal_events(station) == []


async def test_a_matching_basic_username_is_accepted_too(nginx, server_tls, issuing_ca, directory):
    station = StationFactory(security_profile=PROFILE_3)
    _, certificate, key = issue(station, directory)
    async with booted(
        wss(nginx), station.identity, ssl=client(server_tls, certificate, key)
    ) as charger:
        assert charger.id == station.identity


async def test_a_basic_username_of_another_station_is_refused(
    nginx, server_tls, issuing_ca, directory
):
    station = StationFactory(security_profile=PROFILE_3)
    _, certificate, key = issue(station, directory)
    headers = basic_auth("SOMEONE-ELSE", STATION_PASSWORD)
    context = client(server_tls, certificate, key)
    assert await refused(nginx, station.identity, context, headers) == 403


async def test_no_certificate_is_refused_and_recorded(nginx, server_tls, issuing_ca):
    station = StationFactory(security_profile=PROFILE_3)
    headers = basic_auth(station.identity, STATION_PASSWORD)
    assert await refused(nginx, station.identity, client(server_tls), headers) == 403
    assert refusal_events(station) == [client_certificates.NO_CERTIFICATE]


async def test_another_stations_certificate_is_refused_and_recorded(
    nginx, server_tls, issuing_ca, directory
):
    station = StationFactory(security_profile=PROFILE_3)
    other = StationFactory(security_profile=PROFILE_3)
    _, certificate, key = issue(other, directory)
    assert await refused(nginx, station.identity, client(server_tls, certificate, key)) == 403
    assert refusal_events(station) == [
        client_certificates.WRONG_COMMON_NAME.format(common_name=other.identity)
    ]


async def test_a_certificate_of_another_ca_is_refused_and_recorded(
    nginx, server_tls, issuing_ca, directory
):
    station = StationFactory(security_profile=PROFILE_3)
    foreign_root, foreign_key = root_pem("Someone else's CA")
    key = ec.generate_private_key(ec.SECP256R1())
    certificate, key_path = files(
        directory, client_certificate_pem(foreign_root, foreign_key, station.identity, key), key
    )
    assert await refused(nginx, station.identity, client(server_tls, certificate, key_path)) == 403
    [reason] = refusal_events(station)
    assert reason.startswith("the TLS proxy refused the client certificate (FAILED:")


async def test_an_expired_certificate_is_refused_and_recorded(
    nginx, server_tls, issuing_ca, directory, time_machine
):
    station = StationFactory(security_profile=PROFILE_3)
    time_machine.move_to(timezone.now() - dt.timedelta(days=3 * 365), tick=True)
    _, certificate, key = issue(station, directory)
    time_machine.move_to(timezone.now() + dt.timedelta(days=3 * 365), tick=True)
    assert await refused(nginx, station.identity, client(server_tls, certificate, key)) == 403
    [reason] = refusal_events(station)
    assert reason == client_certificates.PROXY_REFUSED.format(
        verify="FAILED:certificate has expired"
    )


async def test_a_revoked_certificate_is_refused_once_nginx_reads_the_new_crl(
    nginx, server_tls, issuing_ca, directory, station_ca, settings
):
    settings.OCPP_CA_EXPORT_DIR = str(station_ca.directory)
    station = StationFactory(security_profile=PROFILE_3)
    issued, certificate, key = issue(station, directory)
    context = client(server_tls, certificate, key)
    async with booted(wss(nginx), station.identity, password=None, ssl=context):
        pass
    certificate_revocation.revoke(certificate_id=issued.pk)  # writes crl.pem at commit
    nginx.reload()
    assert await refused(nginx, station.identity, client(server_tls, certificate, key)) == 403
    assert refusal_events(station) == [
        client_certificates.PROXY_REFUSED.format(verify="FAILED:certificate revoked")
    ]


async def test_a_revoked_certificate_is_refused_by_the_app_before_nginx_reloads(
    nginx, server_tls, issuing_ca, directory
):
    station = StationFactory(security_profile=PROFILE_3)
    issued, certificate, key = issue(station, directory)
    IssuedCertificate.objects.filter(pk=issued.pk).update(revoked_at=timezone.now())
    assert await refused(nginx, station.identity, client(server_tls, certificate, key)) == 403
    assert refusal_events(station) == [client_certificates.REVOKED]


async def test_a_forged_certificate_header_is_overwritten_by_nginx(
    nginx, server_tls, issuing_ca, directory
):
    # A certificate is public; without its key a client may only claim it in headers.
    station = StationFactory(security_profile=PROFILE_3)
    issued, _, _ = issue(station, directory)
    headers = {
        "X-SSL-Client-Verify": "SUCCESS",
        "X-SSL-Client-Cert": quote(issued.certificate_pem),
    }
    assert await refused(nginx, station.identity, client(server_tls), headers) == 403
    assert refusal_events(station) == [client_certificates.NO_CERTIFICATE]


async def test_a_profile_2_station_on_the_same_port_needs_no_certificate(
    nginx, server_tls, transactional_db
):
    station = StationFactory(security_profile=Station.SecurityProfile.TLS_BASIC)
    async with booted(wss(nginx), station.identity, ssl=client(server_tls)) as charger:
        assert charger.id == station.identity
