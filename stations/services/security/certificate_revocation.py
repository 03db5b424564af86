"""Revoking station certificates, and the files the TLS proxy checks client certificates with.

Security profile 3 terminates TLS at nginx, which verifies a station's client certificate
against `ca.pem` (the back office CA certificates) and refuses revoked ones with `crl.pem`
(one CRL per CA). `export` writes both; with OCPP_CA_EXPORT_DIR set, a revocation writes them
again at once and a daily task before the CRLs run out (nginx refuses every certificate of a
CA whose CRL has expired). nginx reads them on reload: the deploy/systemd path unit does it
when crl.pem changes. The app checks revocation itself too (client_certificates), so a
revoked certificate is refused even before nginx has reloaded.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import structlog
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backoffice.audit import services as audit
from backoffice.lib import certificates as x509lib
from stations.models import CertificateAuthority, IssuedCertificate
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.security import certificate_authority

log = structlog.get_logger(__name__)

CA_FILE = "ca.pem"
CRL_FILE = "crl.pem"
# A CRL is valid this long; the daily refresh publishes a new one long before.
CRL_DAYS = 30


@dataclass(frozen=True, slots=True)
class ExportedFiles:
    ca: Path
    crl: Path


def revoke(*, certificate_id: int, caller: Caller = SYSTEM) -> IssuedCertificate:
    """Revoke an issued certificate: from now on its station cannot connect with it.

    Idempotent: revoking a revoked certificate changes nothing. With OCPP_CA_EXPORT_DIR set, the
    CRL there is written again once the revocation is committed.
    """
    with transaction.atomic():
        # Locked: two operators revoking at once record one revocation time.
        issued = IssuedCertificate.objects.select_for_update().get(pk=certificate_id)
        if issued.revoked_at is not None:
            return issued
        issued.revoked_at = timezone.now()
        issued.save(update_fields=["revoked_at"])
        audit.record(
            action="stations.certificate_revoked",
            actor=caller.user if getattr(caller.user, "pk", None) else None,
            actor_label=caller.label,
            target=issued.station,
            data={"certificate_id": issued.pk, "serial_number": issued.serial_number},
        )
        if settings.OCPP_CA_EXPORT_DIR:
            transaction.on_commit(refresh_export)
    log.info("certificate.revoked", certificate_id=issued.pk, serial=issued.serial_number)
    return issued


def crl_pem(*, ca: CertificateAuthority) -> str:
    """The current CRL of `ca` (PEM), listing every certificate it issued that is revoked."""
    revoked = IssuedCertificate.objects.filter(authority=ca, revoked_at__isnull=False)
    crl = x509lib.build_crl(
        ca_certificate=x509lib.load_certificates(ca.certificate_pem)[0],
        ca_key=certificate_authority.signing_key(ca),
        revoked=[
            (int(serial, 16), revoked_at)
            for serial, revoked_at in revoked.values_list("serial_number", "revoked_at")
            if revoked_at is not None
        ],
        now=timezone.now(),
        days=CRL_DAYS,
    )
    return crl.public_bytes(Encoding.PEM).decode()


def export(*, directory: Path) -> ExportedFiles:
    """Write `ca.pem` (every CA still valid: stations keep a replaced CA's certificate until
    they renew) and `crl.pem` (a CRL for each) into `directory`, each replaced atomically."""
    certificate_authority.authority()  # there is always one to check against
    authorities = list(CertificateAuthority.objects.filter(not_after__gt=timezone.now()))
    directory.mkdir(parents=True, exist_ok=True)
    files = ExportedFiles(ca=directory / CA_FILE, crl=directory / CRL_FILE)
    # CRLs first: a CA in ca.pem without its CRL would fail every one of its certificates.
    _replace(files.crl, "".join(crl_pem(ca=ca) for ca in authorities))
    _replace(files.ca, "".join(ca.certificate_pem for ca in authorities))
    log.info("certificate_authority.exported", directory=str(directory), count=len(authorities))
    return files


def refresh_export() -> ExportedFiles | None:
    """export() into OCPP_CA_EXPORT_DIR, when it is set."""
    directory = settings.OCPP_CA_EXPORT_DIR
    return export(directory=Path(directory)) if directory else None


def _replace(path: Path, text: str) -> None:
    # A reader (nginx reloading) sees the old file or the new one, never half of one.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as file:
        file.write(text)
    os.chmod(temporary, 0o644)  # public data: nginx's master reads it
    os.replace(temporary, path)
