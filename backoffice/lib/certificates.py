"""X.509 for OCPP certificate management, without Django: certificate hash data, CSR checks,
and the few operations of a small certificate authority (built on `cryptography`).

Hash data (OCPP CertificateHashDataType) identifies a certificate as OCSP's CertID does
(RFC 6960): the hash of the DER issuer name, the hash of the issuer's public key (the value of
its subjectPublicKey BIT STRING) and the serial number in hexadecimal without "0x" or leading
zeroes. Hashes are written in lowercase hexadecimal; stations may answer in either case, so
values are compared normalised (`HashData.from_ocpp`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

HASH_ALGORITHMS: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}
RSA_MIN_BITS = 2048
# Keys a charging station certificate may have (TLS client keys of security profile 3).
STATION_CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1"})
# ISO 15118-2 SECC certificates use secp256r1; ISO 15118-20 secp521r1 or Ed448.
V2G_CURVES = frozenset({"secp256r1"})
V2G20_CURVES = frozenset({"secp521r1"})
# Certificates start a little in the past: station clocks drift.
CLOCK_SKEW = dt.timedelta(minutes=5)

NOT_A_CERTIFICATE = "This is not a PEM-encoded X.509 certificate."
NO_ISSUER = (
    "The certificate is not self-signed and its issuer's certificate is not given: "
    "its hash data cannot be computed."
)
UNKNOWN_HASH_ALGORITHM = "The hash algorithm is SHA256, SHA384 or SHA512."
CSR_NOT_PEM = "The CSR is not a PEM-encoded PKCS#10 certificate signing request."
CSR_BAD_SIGNATURE = "The CSR's signature does not match its public key."
CSR_UNSUPPORTED = "The CSR's key or signature algorithm is not supported."
CSR_NO_COMMON_NAME = "The CSR's subject has no single common name (CN)."
CSR_WRONG_COMMON_NAME = (
    "The CSR's common name {found!r} is not the station's identity {expected!r}."
)
CSR_WEAK_RSA = "The CSR's RSA key has {bits} bits; at least 2048 are needed."
CSR_WRONG_KEY = "The CSR's key ({found}) is not one this certificate type allows ({allowed})."
CA_KEY_UNREADABLE = (
    "The certificate authority's key cannot be decrypted: OCPP_CA_KEY_PASSWORD (or SECRET_KEY, "
    "when no CA password is set) is not the one it was created with."
)
CA_KEY_TYPE = "The certificate authority's key is neither an EC nor an RSA key."


class CertificateError(ValueError):
    """A certificate, chain or CSR that cannot be used; `str()` says why, for a person."""


@dataclass(frozen=True, slots=True)
class HashData:
    hash_algorithm: str
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str

    @classmethod
    def from_ocpp(cls, data: Mapping[str, Any]) -> HashData:
        """From an OCPP CertificateHashDataType, camelCase or snake_case, normalised."""

        def get(snake: str, camel: str) -> str:
            return str(data.get(snake, data.get(camel, "")))

        serial = get("serial_number", "serialNumber").lower().removeprefix("0x").lstrip("0")
        return cls(
            hash_algorithm=get("hash_algorithm", "hashAlgorithm").upper(),
            issuer_name_hash=get("issuer_name_hash", "issuerNameHash").lower(),
            issuer_key_hash=get("issuer_key_hash", "issuerKeyHash").lower(),
            serial_number=serial or "0",
        )

    def as_ocpp(self) -> dict[str, str]:
        return {
            "hashAlgorithm": self.hash_algorithm,
            "issuerNameHash": self.issuer_name_hash,
            "issuerKeyHash": self.issuer_key_hash,
            "serialNumber": self.serial_number,
        }


def serial_hex(serial: int) -> str:
    """A serial number as OCPP writes it: hexadecimal, no "0x", no leading zeroes."""
    return format(serial, "x")


def load_certificates(pem: str) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle, in order. Raises CertificateError."""
    try:
        certificates = x509.load_pem_x509_certificates(pem.encode())
    except ValueError:
        raise CertificateError(NOT_A_CERTIFICATE) from None
    return certificates


def to_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def is_self_signed(certificate: x509.Certificate) -> bool:
    if certificate.issuer != certificate.subject:
        return False
    try:
        certificate.verify_directly_issued_by(certificate)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def hash_data(
    certificate: x509.Certificate,
    *,
    issuer: x509.Certificate | None = None,
    algorithm: str = "SHA256",
) -> HashData:
    """The OCPP hash data of `certificate`; `issuer` may be left out for a self-signed one.

    Raises CertificateError.
    """
    if algorithm not in HASH_ALGORITHMS:
        raise CertificateError(UNKNOWN_HASH_ALGORITHM)
    if issuer is None:
        if not is_self_signed(certificate):
            raise CertificateError(NO_ISSUER)
        issuer = certificate
    # OCSP's CertID is exactly OCPP's hash data: cryptography computes it per RFC 6960.
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(certificate, issuer, HASH_ALGORITHMS[algorithm]())
        .build()
    )
    return HashData(
        hash_algorithm=algorithm,
        issuer_name_hash=request.issuer_name_hash.hex(),
        issuer_key_hash=request.issuer_key_hash.hex(),
        serial_number=serial_hex(request.serial_number),
    )


def bundle_hash_data(pem: str, algorithm: str = "SHA256") -> HashData:
    """Hash data of the first certificate of a PEM bundle, its issuer being the next one
    (or itself when self-signed). Raises CertificateError."""
    certificates = load_certificates(pem)
    issuer = certificates[1] if len(certificates) > 1 else None
    return hash_data(certificates[0], issuer=issuer, algorithm=algorithm)


def check_csr(
    pem: str, *, common_name: str | None, curves: frozenset[str], allow_rsa: bool
) -> x509.CertificateSigningRequest:
    """The CSR when it can be signed: valid signature, an acceptable key and (when given) the
    expected common name. Raises CertificateError saying what is wrong."""
    try:
        csr = x509.load_pem_x509_csr(pem.strip().encode())
    except ValueError:
        raise CertificateError(CSR_NOT_PEM) from None
    try:
        signed = csr.is_signature_valid
        key = csr.public_key()
    except (UnsupportedAlgorithm, ValueError):
        raise CertificateError(CSR_UNSUPPORTED) from None
    if not signed:
        raise CertificateError(CSR_BAD_SIGNATURE)
    _check_key(key, curves=curves, allow_rsa=allow_rsa)
    names = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(names) != 1 or not names[0].value:
        raise CertificateError(CSR_NO_COMMON_NAME)
    if common_name is not None and names[0].value != common_name:
        raise CertificateError(
            CSR_WRONG_COMMON_NAME.format(found=names[0].value, expected=common_name)
        )
    return csr


def _check_key(key: Any, *, curves: frozenset[str], allow_rsa: bool) -> None:
    allowed = ", ".join(sorted(curves) + (["RSA"] if allow_rsa else []))
    if isinstance(key, rsa.RSAPublicKey) and allow_rsa:
        if key.key_size < RSA_MIN_BITS:
            raise CertificateError(CSR_WEAK_RSA.format(bits=key.key_size))
        return
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in curves:
        return
    if isinstance(key, ed448.Ed448PublicKey) and "ed448" in curves:
        return
    found = key.curve.name if isinstance(key, ec.EllipticCurvePublicKey) else type(key).__name__
    raise CertificateError(CSR_WRONG_KEY.format(found=found, allowed=allowed))


def new_authority(
    *, common_name: str, organization: str, now: dt.datetime, days: int
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new self-signed root: an EC P-256 key and its certificate (SHA-256), issuing leaves
    only (path length 0)."""
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    name = x509.Name(attributes)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def issue(
    csr: x509.CertificateSigningRequest,
    *,
    ca_certificate: x509.Certificate,
    ca_key: PrivateKey,
    now: dt.datetime,
    days: int,
    server_auth: bool,
) -> x509.Certificate:
    """Sign `csr` (checked already) as a leaf of the CA: the CSR's subject and key, TLS client
    use (and server use for an ISO 15118 SECC certificate), never past the CA's own end."""
    public = csr.public_key()
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH]
    if server_auth:
        usages.append(ExtendedKeyUsageOID.SERVER_AUTH)
    not_after = min(now + dt.timedelta(days=days), ca_certificate.not_valid_after_utc)
    return (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(ca_certificate.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False, rsa_key=isinstance(public, rsa.RSAPublicKey)), True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _key_usage(*, ca: bool, rsa_key: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=not ca and rsa_key,
        data_encipherment=False,
        key_agreement=not ca and not rsa_key,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def encrypt_key(key: PrivateKey, password: str) -> str:
    """PKCS#8 PEM encrypted with `password` (`openssl pkey` reads it with the same)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode()),
    ).decode()


def decrypt_key(pem: str, password: str) -> PrivateKey:
    """Raises CertificateError when the password is wrong or the key is not a CA key."""
    try:
        key = serialization.load_pem_private_key(pem.encode(), password.encode())
    except (ValueError, TypeError):
        raise CertificateError(CA_KEY_UNREADABLE) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise CertificateError(CA_KEY_TYPE)
    return key


def common_name(name: x509.Name) -> str:
    names = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def build_crl(
    *,
    ca_certificate: x509.Certificate,
    ca_key: PrivateKey,
    revoked: Iterable[tuple[int, dt.datetime]],
    now: dt.datetime,
    days: int,
) -> x509.CertificateRevocationList:
    """The CA's certificate revocation list (RFC 5280): `revoked` holds (serial, revoked at).

    Valid `days` from `now`; a relying party (nginx's `ssl_crl`) refuses every certificate of
    the CA once it is past, so it is published again well before. Its number grows with time.
    """
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_certificate.subject)
        .last_update(now - CLOCK_SKEW)
        .next_update(now + dt.timedelta(days=days))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    for serial, revoked_at in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(revoked_at)
            .build()
        )
    return builder.sign(ca_key, hashes.SHA256())
