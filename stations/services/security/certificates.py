"""Certificate commands: install a root certificate, list and delete the station's certificates,
and send a signed certificate chain (1.6 security extension and 2.x).

Certificate types have version-neutral names (`InstalledCertificate.Type`,
`IssuedCertificate.Type`); the station's version's adapter names them and refuses, before
anything is sent, a type its version has no name for (see `security.requests`). What the
station reports or accepts is kept per station as `InstalledCertificate` rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction

from backoffice.audit import services as audit
from backoffice.lib import certificates as x509lib
from backoffice.lib.certificates import CertificateError, HashData
from stations.exceptions import CommandInvalid
from stations.models import Command, InstalledCertificate, IssuedCertificate
from stations.services.commands import outbound
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import CommandResult
from stations.services.security import certificate_authority
from stations.services.security.requests import (
    CertificateSigned,
    DeleteCertificate,
    GetInstalledCertificateIds,
    InstallCertificate,
    InstalledIds,
)

HASH_DATA_INCOMPLETE = (
    "The hash data needs hash_algorithm (SHA256, SHA384 or SHA512), issuer_name_hash, "
    "issuer_key_hash and serial_number."
)


@dataclass(frozen=True, slots=True)
class InstalledIdsResult:
    """What GetInstalledCertificateIds returned; `certificates` as stored (neutral types)."""

    command: Command
    status: str
    certificates: list[dict[str, Any]] = field(default_factory=list)


# --- services --------------------------------------------------------------------------------


def install_certificate(
    *,
    station_id: int,
    certificate_type: str,
    pem: str | None = None,
    caller: Caller = SYSTEM,
) -> CommandResult:
    """Install a root certificate on the station; without `pem`, the back office CA's own.

    An accepted certificate is recorded as installed (with its hash data, SHA256).
    """
    pem = pem if pem is not None else certificate_authority.authority_pem()
    _check_pem(pem)
    request = InstallCertificate(certificate_type=certificate_type, pem=pem)
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
    if command.result_status == "Accepted":
        certificate = x509lib.load_certificates(pem)[0]
        try:
            data: HashData | None = x509lib.bundle_hash_data(pem)
        except CertificateError:
            # Not self-signed and sent without its issuer: the station has it, but its hash
            # data is unknown until the station lists it (GetInstalledCertificateIds).
            data = None
        with transaction.atomic():
            if data is not None:
                _keep(
                    station_id,
                    certificate_type,
                    data,
                    subject=certificate.subject.rfc4514_string()[:500],
                    not_after=certificate.not_valid_after_utc,
                )
            _audit("stations.certificate_installed", caller, command, certificate_type)
    return CommandResult(command, command.result_status)


def get_installed_certificate_ids(
    *, station_id: int, types: list[str] | None = None, caller: Caller = SYSTEM
) -> InstalledIdsResult:
    """Ask which certificates the station holds (of `types`, or of every type in 2.x).

    The station's stored list for the types asked is replaced by the answer (emptied on
    NotFound); nothing changes when the station did not answer.
    """
    request = GetInstalledCertificateIds(types=tuple(types or ()))
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    command, answer = outcome.command, outcome.answer
    if not isinstance(answer, InstalledIds):
        return InstalledIdsResult(command, "")
    with transaction.atomic():
        # Locked: two answers for one station must not interleave their replacements.
        current = list(
            InstalledCertificate.objects.select_for_update().filter(
                station_id=station_id, certificate_type__in=answer.asked
            )
        )
        kept = {
            _keep(station_id, item.certificate_type, item.hash_data, children=item.children).pk
            for item in answer.certificates
        }
        InstalledCertificate.objects.filter(
            pk__in=[row.pk for row in current if row.pk not in kept]
        ).delete()
        _audit("stations.installed_certificates_listed", caller, command, ",".join(answer.asked))
    certificates = [
        {
            "certificate_type": item.certificate_type,
            **asdict(item.hash_data),
            "child_certificates": item.children,
        }
        for item in answer.certificates
    ]
    return InstalledIdsResult(command, command.result_status, certificates)


def delete_certificate(
    *, station_id: int, hash_data: Mapping[str, Any], caller: Caller = SYSTEM
) -> CommandResult:
    """Delete the certificate with this hash data (snake_case or camelCase keys) from the
    station; Accepted removes it from the stored list too."""
    wanted = HashData.from_ocpp(hash_data)
    if wanted.hash_algorithm not in x509lib.HASH_ALGORITHMS or not (
        wanted.issuer_name_hash and wanted.issuer_key_hash
    ):
        raise CommandInvalid(HASH_DATA_INCOMPLETE, field="hash_data")
    request = DeleteCertificate(hash_data=wanted)
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
    if command.result_status == "Accepted":
        with transaction.atomic():
            InstalledCertificate.objects.filter(
                station_id=station_id,
                hash_algorithm=wanted.hash_algorithm,
                issuer_name_hash=wanted.issuer_name_hash,
                issuer_key_hash=wanted.issuer_key_hash,
                serial_number=wanted.serial_number,
            ).delete()
            _audit("stations.certificate_deleted", caller, command, "")
    return CommandResult(command, command.result_status)


def certificate_signed(
    *,
    station_id: int,
    chain: str,
    certificate_type: str = IssuedCertificate.Type.CHARGING_STATION,
    caller: Caller = SYSTEM,
) -> CommandResult:
    """Send a signed certificate chain (PEM, leaf first) to the station, e.g. one issued by
    an external CA. The back office's own CA delivers its certificates by itself."""
    _check_pem(chain)
    request = CertificateSigned(chain=chain, certificate_type=certificate_type)
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
    return CommandResult(command, command.result_status)


# --- helpers ---------------------------------------------------------------------------------


def _check_pem(pem: str) -> None:
    try:
        x509lib.load_certificates(pem)
    except CertificateError as err:
        raise CommandInvalid(str(err), field="pem") from None


def _keep(
    station_id: int,
    certificate_type: str,
    data: HashData,
    *,
    children: list[dict[str, str]] | None = None,
    **known: Any,
) -> InstalledCertificate:
    defaults: dict[str, Any] = {"certificate_type": certificate_type, **known}
    if children is not None:
        defaults["child_certificates"] = children
    row, _ = InstalledCertificate.objects.update_or_create(
        station_id=station_id,
        hash_algorithm=data.hash_algorithm,
        issuer_name_hash=data.issuer_name_hash,
        issuer_key_hash=data.issuer_key_hash,
        serial_number=data.serial_number,
        defaults=defaults,
    )
    return row


def _audit(action: str, caller: Caller, command: Command, kind: str) -> None:
    audit.record(
        action=action,
        actor=caller.user if getattr(caller.user, "pk", None) else None,
        actor_label=caller.label,
        target=command.station,
        data={"command_id": command.pk, "certificate_type": kind, "payload": command.payload},
    )
