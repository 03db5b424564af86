"""X.509 helpers: hash data as OCSP defines it, CSR checks, and the CA's certificates."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from backoffice.lib import certificates as lib
from tests.x509 import csr_pem, root_pem, weak_rsa_key

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
STATION_KEYS = {"curves": lib.STATION_CURVES, "allow_rsa": True}


@pytest.fixture(scope="module")
def ca():
    return lib.new_authority(common_name="Test CA", organization="Test CPO", now=NOW, days=3650)


def _issue(ca, csr, *, server_auth=False):
    key, certificate = ca
    return lib.issue(
        csr, ca_certificate=certificate, ca_key=key, now=NOW, days=730, server_auth=server_auth
    )


# --- hash data -------------------------------------------------------------------------------


def test_hash_data_of_a_root_hashes_its_own_name_and_key_bits():
    pem, key = root_pem("Hash Root")
    certificate = x509.load_pem_x509_certificate(pem.encode())
    # Independent of the implementation: the DER issuer name, and the subjectPublicKey BIT
    # STRING's value, which for an EC key is the uncompressed point.
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    data = lib.hash_data(certificate)
    assert data == lib.HashData(
        hash_algorithm="SHA256",
        issuer_name_hash=hashlib.sha256(certificate.issuer.public_bytes()).hexdigest(),
        issuer_key_hash=hashlib.sha256(point).hexdigest(),
        serial_number="abcdef",
    )
    assert data.as_ocpp()["serialNumber"] == "abcdef"


def test_hash_data_of_an_issued_certificate_uses_the_issuer_key(ca):
    issued = _issue(ca, x509.load_pem_x509_csr(csr_pem("CP-1").encode()))
    _, ca_certificate = ca
    ca_point = ca_certificate.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    data = lib.hash_data(issued, issuer=ca_certificate, algorithm="SHA384")
    assert data.hash_algorithm == "SHA384"
    assert data.issuer_key_hash == hashlib.sha384(ca_point).hexdigest()
    assert (
        data.issuer_name_hash == hashlib.sha384(ca_certificate.subject.public_bytes()).hexdigest()
    )
    assert data.serial_number == format(issued.serial_number, "x")


def test_a_bundle_is_hashed_with_its_second_certificate_as_issuer(ca):
    issued = _issue(ca, x509.load_pem_x509_csr(csr_pem("CP-1").encode()))
    _, ca_certificate = ca
    bundle = lib.to_pem(issued) + lib.to_pem(ca_certificate)
    assert lib.bundle_hash_data(bundle) == lib.hash_data(issued, issuer=ca_certificate)


def test_a_leaf_without_its_issuer_has_no_hash_data(ca):
    issued = _issue(ca, x509.load_pem_x509_csr(csr_pem("CP-1").encode()))
    with pytest.raises(lib.CertificateError, match=lib.NO_ISSUER):
        lib.hash_data(issued)


def test_station_hash_data_is_compared_normalised():
    reported = lib.HashData.from_ocpp(
        {
            "hashAlgorithm": "SHA256",
            "issuerNameHash": "ABCDEF",
            "issuerKeyHash": "0A0B",
            "serialNumber": "00FF",
        }
    )
    ours = lib.HashData.from_ocpp(
        {
            "hash_algorithm": "SHA256",
            "issuer_name_hash": "abcdef",
            "issuer_key_hash": "0a0b",
            "serial_number": "ff",
        }
    )
    assert reported == ours
    assert lib.serial_hex(0) == "0"
    assert lib.HashData.from_ocpp({"serialNumber": "000"}).serial_number == "0"


def test_an_unknown_hash_algorithm_is_refused():
    pem, _ = root_pem()
    with pytest.raises(lib.CertificateError, match=lib.UNKNOWN_HASH_ALGORITHM):
        lib.hash_data(x509.load_pem_x509_certificate(pem.encode()), algorithm="MD5")


def test_text_that_is_not_pem_is_not_a_certificate():
    with pytest.raises(lib.CertificateError, match=lib.NOT_A_CERTIFICATE):
        lib.load_certificates("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")


# --- CSR checks ------------------------------------------------------------------------------


def test_a_good_csr_passes():
    csr = lib.check_csr(csr_pem("CP-1"), common_name="CP-1", **STATION_KEYS)
    assert lib.common_name(csr.subject) == "CP-1"


def test_a_csr_for_another_station_is_refused():
    with pytest.raises(lib.CertificateError) as err:
        lib.check_csr(csr_pem("CP-OTHER"), common_name="CP-1", **STATION_KEYS)
    assert str(err.value) == lib.CSR_WRONG_COMMON_NAME.format(found="CP-OTHER", expected="CP-1")


def test_a_csr_with_a_forged_signature_is_refused():
    good = x509.load_pem_x509_csr(csr_pem("CP-1").encode())
    der = bytearray(good.public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0x01  # the last byte belongs to the signature
    forged = x509.load_der_x509_csr(bytes(der)).public_bytes(serialization.Encoding.PEM)
    with pytest.raises(lib.CertificateError, match=lib.CSR_BAD_SIGNATURE):
        lib.check_csr(forged.decode(), common_name="CP-1", **STATION_KEYS)


def test_a_weak_rsa_key_is_refused():
    with pytest.raises(lib.CertificateError, match="1024 bits"):
        lib.check_csr(csr_pem("CP-1", key=weak_rsa_key()), common_name="CP-1", **STATION_KEYS)


def test_a_curve_the_type_does_not_allow_is_refused():
    key = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(lib.CertificateError, match="secp384r1"):
        lib.check_csr(
            csr_pem("SECC-1", key=key), common_name=None, curves=lib.V2G_CURVES, allow_rsa=False
        )


def test_garbage_is_not_a_csr():
    with pytest.raises(lib.CertificateError, match=lib.CSR_NOT_PEM):
        lib.check_csr("hello", common_name="CP-1", **STATION_KEYS)


# --- the CA ----------------------------------------------------------------------------------


def test_the_root_is_a_self_signed_p256_ca_limited_to_leaves(ca):
    key, certificate = ca
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp256r1"
    assert lib.is_self_signed(certificate)
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert (constraints.ca, constraints.path_length) == (True, 0)
    assert certificate.signature_hash_algorithm.name == "sha256"


def test_an_issued_certificate_chains_to_the_root_with_the_csr_subject(ca):
    _, root = ca
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issued = _issue(ca, x509.load_pem_x509_csr(csr_pem("CP-1", key=rsa_key).encode()))
    issued.verify_directly_issued_by(root)
    assert lib.common_name(issued.subject) == "CP-1"
    assert issued.not_valid_after_utc == NOW + dt.timedelta(days=730)
    usage = issued.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    key_usage = issued.extensions.get_extension_for_class(x509.KeyUsage).value
    assert key_usage.key_encipherment
    assert not issued.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_an_secc_certificate_also_serves_tls(ca):
    issued = _issue(ca, x509.load_pem_x509_csr(csr_pem("SECC-1").encode()), server_auth=True)
    usage = issued.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in list(usage)


def test_no_certificate_outlives_its_ca():
    key, short_root = lib.new_authority(common_name="Short", organization="", now=NOW, days=30)
    csr = x509.load_pem_x509_csr(csr_pem("CP-1").encode())
    issued = lib.issue(
        csr, ca_certificate=short_root, ca_key=key, now=NOW, days=730, server_auth=False
    )
    assert issued.not_valid_after_utc == short_root.not_valid_after_utc


def test_the_ca_key_round_trips_only_with_its_password(ca):
    key, _ = ca
    pem = lib.encrypt_key(key, "s3cret-password")
    assert pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert lib.decrypt_key(pem, "s3cret-password").private_numbers() == key.private_numbers()
    with pytest.raises(lib.CertificateError, match="cannot be decrypted"):
        lib.decrypt_key(pem, "wrong")


def test_an_ed25519_station_key_is_refused():
    key = ed25519.Ed25519PrivateKey.generate()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CP-1")])
    request = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, None)
    pem = request.public_bytes(serialization.Encoding.PEM).decode()
    with pytest.raises(lib.CertificateError, match="Ed25519PublicKey"):
        lib.check_csr(pem, common_name="CP-1", **STATION_KEYS)
