"""The back office's certificate authority: stations' SignCertificate requests are checked and
signed here, and the signed certificate goes back to the station (CertificateSigned).

The CA is created on first use (or by `manage.py init_ca`) and kept in the database, its key
encrypted (see `CertificateAuthority`). Signing happens while the station waits for its
SignCertificate answer (a few milliseconds); delivery is a command of its own, sent through the
command bus once that answer is out (`deliver`, run by the OCPP session off the event loop).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import structlog
from cryptography import x509
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from backoffice.audit import services as audit
from backoffice.lib import certificates as x509lib
from backoffice.lib.certificates import CertificateError, HashData
from stations.exceptions import CommandError
from stations.models import CertificateAuthority, Command, IssuedCertificate, Station
from stations.services.commands import outbound
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.security import security_events
from stations.services.security.requests import CertificateSigned

log = structlog.get_logger(__name__)

DEFAULT_COMMON_NAME = "OCPP Back Office Root CA"
AUTHORITY_DAYS = 20 * 365
# Stations renew their certificate themselves (SignCertificate) before it ends.
CERTIFICATE_DAYS = 2 * 365
REJECTED_EVENT = "SignCertificateRejected"
DELIVERY_FAILED_EVENT = "CertificateSignedNotDelivered"
DELIVERY_LABEL = "certificate authority"
UNSUPPORTED_TYPE = "This certificate type is not signed by the back office's CA."
WRONG_ROOT = "The requested root certificate is not the back office's CA."
AUTHORITY_EXISTS = "A certificate authority exists already; replace it explicitly."

# Per certificate type: the keys it may have, and whether it serves TLS (an SECC).
_KEY_RULES: dict[str, tuple[frozenset[str], bool, bool]] = {
    IssuedCertificate.Type.CHARGING_STATION: (x509lib.STATION_CURVES, True, False),
    IssuedCertificate.Type.V2G: (x509lib.V2G_CURVES, False, True),
    IssuedCertificate.Type.V2G20: (x509lib.V2G20_CURVES | {"ed448"}, False, True),
}


@dataclass(frozen=True, slots=True)
class SigningDecision:
    """The answer to a SignCertificate: the certificate to deliver, or why not."""

    certificate: IssuedCertificate | None
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.certificate is not None

    @property
    def status(self) -> str:
        return "Accepted" if self.accepted else "Rejected"


# --- the authority ---------------------------------------------------------------------------


def authority() -> CertificateAuthority:
    """The active CA, created (with default names) when there is none yet."""
    found = CertificateAuthority.objects.filter(is_active=True).first()
    if found is not None:
        return found
    try:
        return create_authority(common_name=DEFAULT_COMMON_NAME)
    except IntegrityError:
        # Another process created it at the same moment: the unique active row wins.
        return CertificateAuthority.objects.get(is_active=True)


def create_authority(
    *, common_name: str, organization: str = "", replace: bool = False, caller: Caller = SYSTEM
) -> CertificateAuthority:
    """Create a new root CA and make it the active one.

    Raises CertificateError when one exists and `replace` is false. A replaced CA stays (inactive)
    with the certificates it issued; stations holding them keep working until they renew.
    """
    now = timezone.now()
    key, certificate = x509lib.new_authority(
        common_name=common_name, organization=organization, now=now, days=AUTHORITY_DAYS
    )
    with transaction.atomic():
        # Locked so two replacements cannot both deactivate and create.
        current = CertificateAuthority.objects.select_for_update().filter(is_active=True)
        if current.exists() and not replace:
            raise CertificateError(AUTHORITY_EXISTS)
        current.update(is_active=False)
        created = CertificateAuthority.objects.create(
            common_name=common_name,
            certificate_pem=x509lib.to_pem(certificate),
            private_key_pem=x509lib.encrypt_key(key, _key_password()),
            serial_number=x509lib.serial_hex(certificate.serial_number),
            not_after=certificate.not_valid_after_utc,
        )
        audit.record(
            action="stations.certificate_authority_created",
            actor=caller.user if getattr(caller.user, "pk", None) else None,
            actor_label=caller.label,
            target=created,
            data={"common_name": common_name, "serial_number": created.serial_number},
        )
    log.info("certificate_authority.created", serial_number=created.serial_number)
    return created


def signing_key(ca: CertificateAuthority) -> x509lib.PrivateKey:
    """The CA's private key, decrypted (CertificateError when OCPP_CA_KEY_PASSWORD is wrong)."""
    return _private_key(ca.pk, ca.private_key_pem)


def authority_pem() -> str:
    """The active CA's certificate, e.g. to install on stations as their CSMS root."""
    return authority().certificate_pem


# --- SignCertificate -------------------------------------------------------------------------


def sign_request(
    *,
    station_id: int,
    csr: str,
    certificate_type: str = IssuedCertificate.Type.CHARGING_STATION,
    request_id: int | None = None,
    root: dict[str, Any] | None = None,
) -> SigningDecision:
    """Check a station's CSR and sign it, or say why not (kept as a security event).

    A charging station certificate's common name must be the station's identity; an ISO 15118
    certificate's is its SECC id, which the back office does not know, so only its presence is
    checked. `root` is the hash data of the root the station wants (2.1): it must be our CA's.
    """
    station = Station.objects.only("pk", "identity").get(pk=station_id)
    ca = authority()
    ca_certificate = x509lib.load_certificates(ca.certificate_pem)[0]
    try:
        if certificate_type not in _KEY_RULES:
            raise CertificateError(UNSUPPORTED_TYPE)
        if root is not None and not _is_root(ca_certificate, HashData.from_ocpp(root)):
            raise CertificateError(WRONG_ROOT)
        curves, allow_rsa, server_auth = _KEY_RULES[certificate_type]
        checked = x509lib.check_csr(
            csr,
            common_name=station.identity
            if certificate_type == IssuedCertificate.Type.CHARGING_STATION
            else None,
            curves=curves,
            allow_rsa=allow_rsa,
        )
    except CertificateError as err:
        security_events.record_event(
            station_id=station_id,
            type=REJECTED_EVENT,
            tech_info=str(err),
            timestamp=timezone.now(),
            raised_by_backoffice=True,
        )
        return SigningDecision(None, str(err))
    signed = x509lib.issue(
        checked,
        ca_certificate=ca_certificate,
        ca_key=_private_key(ca.pk, ca.private_key_pem),
        now=timezone.now(),
        days=CERTIFICATE_DAYS,
        server_auth=server_auth,
    )
    with transaction.atomic():
        issued = IssuedCertificate.objects.create(
            station=station,
            authority=ca,
            certificate_type=certificate_type,
            serial_number=x509lib.serial_hex(signed.serial_number),
            subject=signed.subject.rfc4514_string()[:500],
            not_before=signed.not_valid_before_utc,
            not_after=signed.not_valid_after_utc,
            certificate_pem=x509lib.to_pem(signed),
            request_id=request_id,
        )
        audit.record(
            action="stations.certificate_issued",
            actor_label=DELIVERY_LABEL,
            target=station,
            data={
                "certificate_id": issued.pk,
                "serial_number": issued.serial_number,
                "subject": issued.subject,
                "certificate_type": certificate_type,
            },
        )
    log.info("certificate.issued", station_id=station_id, serial_number=issued.serial_number)
    return SigningDecision(issued)


def deliver(*, certificate_id: int, caller: Caller = SYSTEM) -> IssuedCertificate:
    """Send an issued certificate to its station (CertificateSigned) and record the outcome.

    Never raises for the station's side (offline, timeout, CALLERROR, a certificate its
    version cannot carry): the certificate is then marked not delivered and a security event
    says why; the station asks again on its own (SignCertificate is retried while it has no
    certificate).
    """
    issued = IssuedCertificate.objects.select_related("station").get(pk=certificate_id)
    caller = caller if caller.label or caller.user else Caller(label=DELIVERY_LABEL)
    request = CertificateSigned(
        chain=issued.certificate_pem,
        certificate_type=issued.certificate_type,
        request_id=issued.request_id,
    )
    try:
        command = outbound.send(
            station_id=issued.station_id, request=request, caller=caller
        ).command
    except CommandError as err:
        _delivered(issued, IssuedCertificate.Delivery.FAILED, err.command, err.message)
        return issued
    if command.state != Command.State.ANSWERED:
        reason = f"{command.error_code}: {command.error_description}"
        _delivered(issued, IssuedCertificate.Delivery.FAILED, command, reason)
    elif command.result_status == "Accepted":
        _delivered(issued, IssuedCertificate.Delivery.ACCEPTED, command)
    else:
        _delivered(issued, IssuedCertificate.Delivery.REJECTED, command)
    return issued


# --- helpers ---------------------------------------------------------------------------------


def _delivered(
    issued: IssuedCertificate, delivery: str, command: Command | None, failure: str = ""
) -> None:
    issued.delivery = delivery
    issued.command = command
    issued.save(update_fields=["delivery", "command"])
    if failure:
        security_events.record_event(
            station_id=issued.station_id,
            type=DELIVERY_FAILED_EVENT,
            tech_info=f"Certificate {issued.serial_number}: {failure}",
            timestamp=timezone.now(),
            raised_by_backoffice=True,
        )


def _is_root(ca_certificate: x509.Certificate, wanted: HashData) -> bool:
    if wanted.hash_algorithm not in x509lib.HASH_ALGORITHMS:
        return False
    return x509lib.hash_data(ca_certificate, algorithm=wanted.hash_algorithm) == wanted


def _key_password() -> str:
    configured: str = getattr(settings, "OCPP_CA_KEY_PASSWORD", "") or ""
    if configured:
        return configured
    # Derived, not SECRET_KEY itself: the key file never carries Django's secret.
    return salted_hmac("stations.certificate_authority", "key-password").hexdigest()


@functools.lru_cache(maxsize=4)
def _private_key(authority_id: int, pem: str) -> x509lib.PrivateKey:
    # Decrypted once per process and CA: every SignCertificate needs it.
    return x509lib.decrypt_key(pem, _key_password())
