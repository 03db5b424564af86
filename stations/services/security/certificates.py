"""Certificate commands: install a root certificate, list and delete the station's certificates,
and send a signed certificate chain (1.6 security extension and 2.x).

Certificate types have version-neutral names (`InstalledCertificate.Type`,
`IssuedCertificate.Type`); each version's name is picked here, and a type the station's version
has no name for is refused with CommandInvalid before anything is sent. What the station
reports or accepts is kept per station as `InstalledCertificate` rows.
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
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import V16, CommandResult, Message, _result, _send, _version

_ROOTS_16: dict[str, str] = {
    InstalledCertificate.Type.CSMS_ROOT: "CentralSystemRootCertificate",
    InstalledCertificate.Type.MANUFACTURER_ROOT: "ManufacturerRootCertificate",
}
_ROOTS_201: dict[str, str] = {
    InstalledCertificate.Type.CSMS_ROOT: "CSMSRootCertificate",
    InstalledCertificate.Type.MANUFACTURER_ROOT: "ManufacturerRootCertificate",
    InstalledCertificate.Type.V2G_ROOT: "V2GRootCertificate",
    InstalledCertificate.Type.MO_ROOT: "MORootCertificate",
}
_ROOTS_21: dict[str, str] = {**_ROOTS_201, InstalledCertificate.Type.OEM_ROOT: "OEMRootCertificate"}
_CHAIN: dict[str, str] = {InstalledCertificate.Type.V2G_CHAIN: "V2GCertificateChain"}
# Neutral type -> the version's CertificateUse / InstallCertificateUse name.
INSTALL_TYPES: dict[str, dict[str, str]] = {"1.6": _ROOTS_16, "2.0.1": _ROOTS_201, "2.1": _ROOTS_21}
# Neutral type -> GetCertificateIdUse name (2.x adds the V2G chain the station holds).
ID_TYPES: dict[str, dict[str, str]] = {
    "1.6": _ROOTS_16,
    "2.0.1": {**_ROOTS_201, **_CHAIN},
    "2.1": {**_ROOTS_21, **_CHAIN},
}
# Neutral type -> CertificateSigningUse name; 1.6 has one kind and no field.
SIGNED_TYPES: dict[str, dict[str, str]] = {
    "1.6": {IssuedCertificate.Type.CHARGING_STATION: ""},
    "2.0.1": {
        IssuedCertificate.Type.CHARGING_STATION: "ChargingStationCertificate",
        IssuedCertificate.Type.V2G: "V2GCertificate",
    },
    "2.1": {
        IssuedCertificate.Type.CHARGING_STATION: "ChargingStationCertificate",
        IssuedCertificate.Type.V2G: "V2GCertificate",
        IssuedCertificate.Type.V2G20: "V2G20Certificate",
    },
}

TYPE_NOT_IN_VERSION = "OCPP {version} has no certificate type {type!r}."
V16_ONE_TYPE = "An OCPP 1.6 station lists one certificate type at a time: name exactly one."
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
    from stations.services.security import (
        certificate_authority,  # the CA's services use this module's builders
    )

    version = _version(station_id)
    pem = pem if pem is not None else certificate_authority.authority_pem()
    message = build_install_certificate(version=version, certificate_type=certificate_type, pem=pem)
    command = _send(station_id, message, caller)
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
    return _result(command)


def get_installed_certificate_ids(
    *, station_id: int, types: list[str] | None = None, caller: Caller = SYSTEM
) -> InstalledIdsResult:
    """Ask which certificates the station holds (of `types`, or of every type in 2.x).

    The station's stored list for the types asked is replaced by the answer (emptied on
    NotFound); nothing changes when the station did not answer.
    """
    version = _version(station_id)
    message = build_get_installed_certificate_ids(version=version, types=types)
    command = _send(station_id, message, caller)
    if command.state != Command.State.ANSWERED:
        return InstalledIdsResult(command, "")
    asked = list(types) if types else list(ID_TYPES[version])
    reported = parse_installed_ids(version=version, asked=asked[0], response=command.response or {})
    with transaction.atomic():
        # Locked: two answers for one station must not interleave their replacements.
        current = list(
            InstalledCertificate.objects.select_for_update().filter(
                station_id=station_id, certificate_type__in=asked
            )
        )
        kept = {_keep(station_id, kind, data, children=c).pk for kind, data, c in reported}
        InstalledCertificate.objects.filter(
            pk__in=[row.pk for row in current if row.pk not in kept]
        ).delete()
        _audit("stations.installed_certificates_listed", caller, command, ",".join(asked))
    certificates = [
        {"certificate_type": kind, **asdict(data), "child_certificates": children}
        for kind, data, children in reported
    ]
    return InstalledIdsResult(command, command.result_status, certificates)


def delete_certificate(
    *, station_id: int, hash_data: Mapping[str, Any], caller: Caller = SYSTEM
) -> CommandResult:
    """Delete the certificate with this hash data from the station; Accepted removes it from
    the stored list too."""
    message = build_delete_certificate(hash_data=hash_data)
    command = _send(station_id, message, caller)
    if command.result_status == "Accepted":
        wanted = HashData.from_ocpp(hash_data)
        with transaction.atomic():
            InstalledCertificate.objects.filter(
                station_id=station_id,
                hash_algorithm=wanted.hash_algorithm,
                issuer_name_hash=wanted.issuer_name_hash,
                issuer_key_hash=wanted.issuer_key_hash,
                serial_number=wanted.serial_number,
            ).delete()
            _audit("stations.certificate_deleted", caller, command, "")
    return _result(command)


def certificate_signed(
    *,
    station_id: int,
    chain: str,
    certificate_type: str = IssuedCertificate.Type.CHARGING_STATION,
    caller: Caller = SYSTEM,
) -> CommandResult:
    """Send a signed certificate chain (PEM, leaf first) to the station, e.g. one issued by
    an external CA. The back office's own CA delivers its certificates by itself."""
    message = build_certificate_signed(
        version=_version(station_id), chain=chain, certificate_type=certificate_type
    )
    return _result(_send(station_id, message, caller))


# --- payloads --------------------------------------------------------------------------------


def build_install_certificate(*, version: str, certificate_type: str, pem: str) -> Message:
    _check_pem(pem)
    name = _name(INSTALL_TYPES, version, certificate_type, "certificate_type")
    return Message("InstallCertificate", {"certificateType": name, "certificate": pem})


def build_get_installed_certificate_ids(*, version: str, types: list[str] | None) -> Message:
    if version == V16:
        if not types or len(types) != 1:
            raise CommandInvalid(V16_ONE_TYPE, field="types")
        return Message(
            "GetInstalledCertificateIds",
            {"certificateType": _name(ID_TYPES, version, types[0], "types")},
        )
    if not types:
        return Message("GetInstalledCertificateIds", {})
    names = [_name(ID_TYPES, version, kind, "types") for kind in types]
    return Message("GetInstalledCertificateIds", {"certificateType": names})


def build_delete_certificate(*, hash_data: Mapping[str, Any]) -> Message:
    """The same DeleteCertificate in 1.6 and 2.x."""
    data = HashData.from_ocpp(hash_data)
    if data.hash_algorithm not in x509lib.HASH_ALGORITHMS or not (
        data.issuer_name_hash and data.issuer_key_hash
    ):
        raise CommandInvalid(HASH_DATA_INCOMPLETE, field="hash_data")
    return Message("DeleteCertificate", {"certificateHashData": data.as_ocpp()})


def build_certificate_signed(
    *,
    version: str,
    chain: str,
    certificate_type: str = IssuedCertificate.Type.CHARGING_STATION,
    request_id: int | None = None,
) -> Message:
    _check_pem(chain)
    name = _name(SIGNED_TYPES, version, certificate_type, "certificate_type")
    payload: dict[str, Any] = {"certificateChain": chain}
    if name:
        payload["certificateType"] = name
    if request_id is not None and version == "2.1":
        payload["requestId"] = request_id
    return Message("CertificateSigned", payload)


def parse_installed_ids(
    *, version: str, asked: str, response: Mapping[str, Any]
) -> list[tuple[str, HashData, list[dict[str, str]]]]:
    """(neutral type, hash data, children's hash data) for each certificate reported.

    1.6 answers bare hash data for the one type asked; 2.x names each one's type.
    """
    if version == V16:
        return [
            (asked, HashData.from_ocpp(item), [])
            for item in response.get("certificateHashData") or []
        ]
    neutral = {name: kind for kind, name in ID_TYPES[version].items()}
    return [
        (
            neutral.get(item.get("certificateType", ""), asked),
            HashData.from_ocpp(item["certificateHashData"]),
            [
                asdict(HashData.from_ocpp(child))
                for child in item.get("childCertificateHashData") or []
            ],
        )
        for item in response.get("certificateHashDataChain") or []
    ]


def signing_type(name: str | None) -> str:
    """The neutral type of a 2.x CertificateSigningUse; absent, the certificate serves the
    station's OCPP connection (and its ISO 15118 one), so it is the charging station's."""
    uses = {ocpp_name: kind for kind, ocpp_name in SIGNED_TYPES["2.1"].items()}
    return uses.get(name or "", IssuedCertificate.Type.CHARGING_STATION)


# --- helpers ---------------------------------------------------------------------------------


def _name(table: dict[str, dict[str, str]], version: str, kind: str, field_name: str) -> str:
    names = table[version if version in table else V16]
    if kind not in names:
        raise CommandInvalid(
            TYPE_NOT_IN_VERSION.format(version=version, type=kind), field=field_name
        )
    return names[kind]


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
