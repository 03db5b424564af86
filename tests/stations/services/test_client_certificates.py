"""The security profile 3 decision on what a trusted proxy reported (the nginx tests in
tests/deploy/ drive it over real mutual TLS)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from backoffice.lib.forwarded_tls import ProxiedCertificate
from stations.models import SecurityEvent, Station
from stations.services.security import certificate_authority, client_certificates, station_auth
from tests.factories.stations import StationFactory
from tests.x509 import client_certificate_pem, csr_pem, root_pem

pytestmark = pytest.mark.django_db


@pytest.fixture
def station() -> Station:
    return StationFactory(security_profile=Station.SecurityProfile.TLS_CLIENT_CERT)


def refusal(station: Station, certificate: ProxiedCertificate | None) -> str:
    return client_certificates.refusal(
        station=station, identity=station.identity, certificate=certificate
    )


def test_its_own_certificate_admits_the_station(station):
    issued = certificate_authority.sign_request(
        station_id=station.pk, csr=csr_pem(station.identity)
    )
    assert issued.certificate is not None
    certificate = ProxiedCertificate("SUCCESS", issued.certificate.certificate_pem)
    assert refusal(station, certificate) == ""
    assert not SecurityEvent.objects.exists()


def test_a_verified_certificate_we_never_issued_is_refused(station):
    # Same CN, a CA the proxy was (wrongly) configured to trust: not ours, not admitted.
    root, key = root_pem("Trusted by mistake")
    pem = client_certificate_pem(
        root, key, station.identity, ec.generate_private_key(ec.SECP256R1())
    )
    assert refusal(station, ProxiedCertificate("SUCCESS", pem)) == client_certificates.NOT_ISSUED
    assert SecurityEvent.objects.get().tech_info == client_certificates.NOT_ISSUED


def test_an_unreadable_certificate_is_refused(station):
    certificate = ProxiedCertificate("SUCCESS", "-----BEGIN CERTIFICATE-----\nnope\n")
    assert refusal(station, certificate) == client_certificates.UNREADABLE


def test_profile_3_without_tls_is_refused_before_the_certificate(station):
    admission = station_auth.authenticate(
        identity=station.identity,
        authorization=None,
        secure=False,
        client_certificate=ProxiedCertificate("SUCCESS", "irrelevant"),
    )
    assert not admission.admitted
    assert admission.reason == "security profile 3 requires TLS"
