"""Certificate management without a socket: each version's messages, the back office's CA, and
the REST API's input for the certificate commands.

Services run against an offline station: the bus validates the payload against the station's
schema, records the command and raises StationNotConnected, so the command shows what would
have been sent.
"""

from __future__ import annotations

import pytest
from cryptography import x509
from django.core.management import call_command

from backoffice.lib import certificates as lib
from stations.api.command_specs import certificates as api_specs
from stations.api.registry import specs
from stations.exceptions import CommandInvalid
from stations.models import (
    CertificateAuthority,
    Command,
    IssuedCertificate,
    SecurityEvent,
)
from stations.services.commands import adapters
from stations.services.security import certificate_authority, certificates
from stations.services.security.requests import (
    TYPE_NOT_IN_VERSION,
    V16_ONE_TYPE,
    CertificateSigned,
    GetInstalledCertificateIds,
)
from tests.commands import sent
from tests.factories.stations import StationFactory
from tests.x509 import csr_pem, root_pem, weak_rsa_key

pytestmark = pytest.mark.django_db

HASH = {
    "hash_algorithm": "SHA256",
    "issuer_name_hash": "AA" * 32,
    "issuer_key_hash": "bb" * 32,
    "serial_number": "0ff",
}


@pytest.fixture
def root():
    return root_pem("Other PKI Root")[0]


def reported(version, request, response):
    """(neutral type, hash data, children's hash data) of each certificate the adapter read."""
    answer = adapters.adapter_for(version).read(request, response)
    return [(item.certificate_type, item.hash_data, item.children) for item in answer.certificates]


# --- what each version gets ------------------------------------------------------------------


def test_a_16_station_gets_its_own_name_for_the_csms_root(v16, root):
    command = sent(
        certificates.install_certificate,
        station_id=v16.pk,
        certificate_type="csms_root",
        pem=root,
    )
    assert command.action == "InstallCertificate"
    assert command.payload == {
        "certificateType": "CentralSystemRootCertificate",
        "certificate": root,
    }


def test_a_2x_station_gets_the_2x_name(v2x, root):
    command = sent(
        certificates.install_certificate, station_id=v2x.pk, certificate_type="mo_root", pem=root
    )
    assert command.payload["certificateType"] == "MORootCertificate"


def test_without_a_certificate_the_back_office_ca_is_installed(v2x):
    command = sent(
        certificates.install_certificate, station_id=v2x.pk, certificate_type="csms_root"
    )
    assert command.payload["certificate"] == certificate_authority.authority_pem()


@pytest.mark.parametrize(
    ("version", "kind"),
    [("1.6", "v2g_root"), ("1.6", "oem_root"), ("2.0.1", "oem_root"), ("2.0.1", "v2g_chain")],
)
def test_a_root_type_the_version_cannot_name_is_refused_before_sending(version, kind, root):
    station = StationFactory(ocpp_version=version)
    with pytest.raises(CommandInvalid) as err:
        certificates.install_certificate(station_id=station.pk, certificate_type=kind, pem=root)
    assert err.value.message == TYPE_NOT_IN_VERSION.format(version=version, type=kind)
    assert not Command.objects.exists()


def test_the_oem_root_is_installed_on_a_21_station(root):
    station = StationFactory(ocpp_version="2.1")
    command = sent(
        certificates.install_certificate,
        station_id=station.pk,
        certificate_type="oem_root",
        pem=root,
    )
    assert command.payload["certificateType"] == "OEMRootCertificate"


def test_a_certificate_that_is_not_pem_is_refused(v16):
    with pytest.raises(CommandInvalid, match=lib.NOT_A_CERTIFICATE):
        certificates.install_certificate(
            station_id=v16.pk, certificate_type="csms_root", pem="not a certificate"
        )


def test_a_16_station_lists_one_type_at_a_time(v16):
    command = sent(
        certificates.get_installed_certificate_ids, station_id=v16.pk, types=["manufacturer_root"]
    )
    assert command.payload == {"certificateType": "ManufacturerRootCertificate"}
    for types in (None, ["csms_root", "manufacturer_root"]):
        with pytest.raises(CommandInvalid, match=V16_ONE_TYPE):
            certificates.get_installed_certificate_ids(station_id=v16.pk, types=types)


def test_a_2x_station_lists_several_types_or_all(v2x):
    some = sent(
        certificates.get_installed_certificate_ids,
        station_id=v2x.pk,
        types=["v2g_chain", "csms_root"],
    )
    everything = sent(certificates.get_installed_certificate_ids, station_id=v2x.pk)
    assert some.payload == {"certificateType": ["V2GCertificateChain", "CSMSRootCertificate"]}
    assert everything.payload == {}


def test_delete_sends_normalised_hash_data(v16):
    command = sent(certificates.delete_certificate, station_id=v16.pk, hash_data=HASH)
    assert command.payload == {
        "certificateHashData": {
            "hashAlgorithm": "SHA256",
            "issuerNameHash": "aa" * 32,
            "issuerKeyHash": "bb" * 32,
            "serialNumber": "ff",
        }
    }


def test_delete_needs_complete_hash_data(v16):
    with pytest.raises(CommandInvalid, match="hash_algorithm"):
        certificates.delete_certificate(
            station_id=v16.pk, hash_data={**HASH, "hash_algorithm": "MD5"}
        )


def test_certificate_signed_names_the_type_in_2x_only(v16, v2x, root):
    old = sent(certificates.certificate_signed, station_id=v16.pk, chain=root)
    new = sent(
        certificates.certificate_signed, station_id=v2x.pk, chain=root, certificate_type="v2g"
    )
    assert old.payload == {"certificateChain": root}
    assert new.payload == {"certificateChain": root, "certificateType": "V2GCertificate"}
    with pytest.raises(CommandInvalid):
        certificates.certificate_signed(station_id=v16.pk, chain=root, certificate_type="v2g")


def test_the_21_request_id_is_echoed_only_in_21(root):
    v21 = adapters.build(version="2.1", request=CertificateSigned(chain=root, request_id=7))
    v201 = adapters.build(version="2.0.1", request=CertificateSigned(chain=root, request_id=7))
    assert v21.payload["requestId"] == 7
    assert "requestId" not in v201.payload
    with pytest.raises(CommandInvalid):
        adapters.build(
            version="2.0.1", request=CertificateSigned(chain=root, certificate_type="v2g20")
        )


def test_the_installed_ids_of_each_version_are_read_with_neutral_types():
    data = {
        "hashAlgorithm": "SHA256",
        "issuerNameHash": "AB",
        "issuerKeyHash": "CD",
        "serialNumber": "1",
    }
    asked = GetInstalledCertificateIds(types=("csms_root",))
    old = reported("1.6", asked, response={"status": "Accepted", "certificateHashData": [data]})
    new = reported(
        "2.0.1",
        asked,
        response={
            "status": "Accepted",
            "certificateHashDataChain": [
                {
                    "certificateType": "V2GCertificateChain",
                    "certificateHashData": data,
                    "childCertificateHashData": [data],
                }
            ],
        },
    )
    expected = lib.HashData("SHA256", "ab", "cd", "1")
    assert old == [("csms_root", expected, [])]
    assert new == [
        (
            "v2g_chain",
            expected,
            [
                {
                    "hash_algorithm": "SHA256",
                    "issuer_name_hash": "ab",
                    "issuer_key_hash": "cd",
                    "serial_number": "1",
                }
            ],
        )
    ]


# --- the certificate authority ---------------------------------------------------------------


def test_the_ca_is_created_once_on_first_use():
    first = certificate_authority.authority()
    again = certificate_authority.authority()
    assert first.pk == again.pk
    assert CertificateAuthority.objects.count() == 1
    assert first.private_key_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    certificate = lib.load_certificates(first.certificate_pem)[0]
    assert lib.common_name(certificate.subject) == certificate_authority.DEFAULT_COMMON_NAME


def test_the_ca_key_is_encrypted_with_the_configured_password(settings):
    settings.OCPP_CA_KEY_PASSWORD = "operator-chosen-password-123"
    ca = certificate_authority.authority()
    lib.decrypt_key(ca.private_key_pem, "operator-chosen-password-123")


def test_init_ca_refuses_to_replace_silently_then_replaces(capsys):
    call_command("init_ca", "--common-name", "ACME Root", "--organization", "ACME")
    first = CertificateAuthority.objects.get(is_active=True)
    assert "BEGIN CERTIFICATE" in capsys.readouterr().out
    with pytest.raises(Exception, match="exists already"):
        call_command("init_ca")
    call_command("init_ca", "--replace")
    assert CertificateAuthority.objects.filter(is_active=True).exclude(pk=first.pk).count() == 1
    assert CertificateAuthority.objects.count() == 2


def test_a_good_csr_is_signed_for_its_station(v16):
    decision = certificate_authority.sign_request(station_id=v16.pk, csr=csr_pem(v16.identity))
    assert decision.accepted
    issued = decision.certificate
    assert issued.delivery == IssuedCertificate.Delivery.PENDING
    certificate = lib.load_certificates(issued.certificate_pem)[0]
    assert lib.common_name(certificate.subject) == v16.identity
    assert issued.serial_number == lib.serial_hex(certificate.serial_number)
    ca = lib.load_certificates(certificate_authority.authority_pem())[0]
    certificate.verify_directly_issued_by(ca)


@pytest.mark.parametrize(
    ("csr", "reason"),
    [
        pytest.param(lambda s: csr_pem("CP-SOMEONE-ELSE"), "not the station's identity", id="cn"),
        pytest.param(lambda s: csr_pem(s.identity, key=weak_rsa_key()), "1024 bits", id="rsa"),
        pytest.param(lambda s: "garbage", lib.CSR_NOT_PEM, id="pem"),
    ],
)
def test_a_bad_csr_is_rejected_and_kept_as_a_security_event(v16, csr, reason):
    decision = certificate_authority.sign_request(station_id=v16.pk, csr=csr(v16))
    assert not decision.accepted
    assert decision.status == "Rejected"
    assert reason in decision.reason
    event = SecurityEvent.objects.get(station=v16)
    assert (event.type, event.raised_by_backoffice) == (certificate_authority.REJECTED_EVENT, True)
    assert reason in event.tech_info
    assert not IssuedCertificate.objects.exists()


def test_a_v2g_csr_is_signed_for_its_secc_id(v2x):
    decision = certificate_authority.sign_request(
        station_id=v2x.pk, csr=csr_pem("DE*ABC*E1"), certificate_type="v2g", request_id=5
    )
    assert decision.accepted
    assert (decision.certificate.certificate_type, decision.certificate.request_id) == ("v2g", 5)


def test_a_21_request_for_another_root_is_rejected(v2x):
    ours = lib.hash_data(lib.load_certificates(certificate_authority.authority_pem())[0])
    other = lib.hash_data(x509.load_pem_x509_certificate(root_pem()[0].encode()))
    good = certificate_authority.sign_request(
        station_id=v2x.pk, csr=csr_pem(v2x.identity), root=ours.as_ocpp()
    )
    bad = certificate_authority.sign_request(
        station_id=v2x.pk, csr=csr_pem(v2x.identity), root=other.as_ocpp()
    )
    assert good.accepted
    assert bad.reason == certificate_authority.WRONG_ROOT


def test_a_certificate_for_an_offline_station_is_not_delivered(v2x):
    issued = certificate_authority.sign_request(
        station_id=v2x.pk, csr=csr_pem(v2x.identity)
    ).certificate
    certificate_authority.deliver(certificate_id=issued.pk)
    issued.refresh_from_db()
    assert issued.delivery == IssuedCertificate.Delivery.FAILED
    assert issued.command.action == "CertificateSigned"
    assert issued.command.payload["certificateChain"] == issued.certificate_pem
    assert issued.command.actor_label == certificate_authority.DELIVERY_LABEL
    event = SecurityEvent.objects.get(type=certificate_authority.DELIVERY_FAILED_EVENT)
    assert issued.serial_number in event.tech_info


# --- REST API input --------------------------------------------------------------------------


def test_the_certificate_commands_are_registered():
    registered = specs()
    for name in (
        "install-certificate",
        "get-installed-certificate-ids",
        "delete-certificate",
        "certificate-signed",
    ):
        assert registered[name].service.__module__ == "stations.services.security.certificates"


def test_the_api_inputs_take_good_bodies_as_service_arguments(root):
    install = api_specs.InstallCertificateInput(data={"certificate_type": "csms_root", "pem": root})
    ids = api_specs.GetInstalledCertificateIdsInput(data={"types": ["v2g_chain"]})
    delete = api_specs.DeleteCertificateInput(data={"hash_data": HASH})
    signed = api_specs.CertificateSignedInput(data={"chain": root})
    for serializer in (install, ids, delete, signed):
        assert serializer.is_valid(), serializer.errors
    assert dict(install.validated_data) == {"certificate_type": "csms_root", "pem": root}
    assert dict(signed.validated_data) == {"chain": root, "certificate_type": "charging_station"}
    assert dict(delete.validated_data["hash_data"]) == HASH


@pytest.mark.parametrize(
    ("serializer", "body", "field"),
    [
        (api_specs.InstallCertificateInput, {"certificate_type": "v2g_chain"}, "certificate_type"),
        (api_specs.InstallCertificateInput, {"certificate_type": "csms_root", "pem": "x"}, "pem"),
        (api_specs.GetInstalledCertificateIdsInput, {"types": []}, "types"),
        (
            api_specs.DeleteCertificateInput,
            {"hash_data": {**HASH, "serial_number": "xyz"}},
            "hash_data",
        ),
        (api_specs.CertificateSignedInput, {"chain": "nope"}, "chain"),
    ],
)
def test_the_api_inputs_refuse_bad_bodies(serializer, body, field):
    checked = serializer(data=body)
    assert not checked.is_valid()
    assert field in checked.errors
