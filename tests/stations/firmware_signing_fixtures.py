"""A signing certificate and a signature, as an operator would upload with signed firmware."""

from __future__ import annotations

import base64
import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

FIRMWARE_BYTES = b"FIRMWARE"


def signing_material() -> tuple[str, str]:
    """(base64 signature of FIRMWARE_BYTES, PEM certificate of the key that made it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Firmware Signer")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    signature = key.sign(FIRMWARE_BYTES, ec.ECDSA(hashes.SHA256()))
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return base64.b64encode(signature).decode(), pem
