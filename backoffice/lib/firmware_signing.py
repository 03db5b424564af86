"""Checks of a signed firmware's signature (base64) and signing certificate (PEM), as OCPP
carries them in UpdateFirmware / SignedUpdateFirmware."""

from __future__ import annotations

import base64
import binascii

from cryptography import x509

SIGNATURE_MAX = 800
CERTIFICATE_MAX = 5500

SIGNATURE_NOT_BASE64 = "The signature is not base64."
SIGNATURE_TOO_LONG = "The signature is longer than the 800 characters OCPP allows."
CERTIFICATE_NOT_PEM = "The signing certificate is not a PEM X.509 certificate."
CERTIFICATE_TOO_LONG = "The signing certificate is longer than the 5500 characters OCPP allows."
SIGNED_NEEDS_BOTH = "Signed firmware needs both its signature and its signing certificate."


def normalise_signature(signature: str) -> str:
    """The signature without the line breaks and spaces base64 is often wrapped with."""
    return "".join(signature.split())


def signature_problem(signature: str) -> str | None:
    """Why `signature` (normalised) cannot be sent, or None."""
    if len(signature) > SIGNATURE_MAX:
        return SIGNATURE_TOO_LONG
    try:
        base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return SIGNATURE_NOT_BASE64
    return None


def certificate_problem(pem: str) -> str | None:
    """Why `pem` cannot be sent as a signing certificate, or None."""
    if len(pem) > CERTIFICATE_MAX:
        return CERTIFICATE_TOO_LONG
    try:
        x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        return CERTIFICATE_NOT_PEM
    return None
