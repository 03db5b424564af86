"""Certificate management in OCPP 1.6 (the security extension): two root types, one type
listed at a time, and CertificateSigned for the station's own certificate only."""

from __future__ import annotations

from typing import Any

from backoffice.lib.certificates import HashData
from stations.exceptions import CommandInvalid
from stations.models import InstalledCertificate, IssuedCertificate
from stations.services.commands.adapters import Message
from stations.services.security.requests import (
    TYPE_NOT_IN_VERSION,
    V16_ONE_TYPE,
    CertificateSigned,
    DeleteCertificate,
    GetInstalledCertificateIds,
    InstallCertificate,
    InstalledIds,
    ReportedCertificate,
)

from .adapter import ADAPTER

# Neutral type -> CertificateUse, for InstallCertificate and GetInstalledCertificateIds alike.
_ROOTS: dict[str, str] = {
    InstalledCertificate.Type.CSMS_ROOT: "CentralSystemRootCertificate",
    InstalledCertificate.Type.MANUFACTURER_ROOT: "ManufacturerRootCertificate",
}


@ADAPTER.builds(
    InstallCertificate, fields={"certificateType": "certificate_type", "certificate": "pem"}
)
def install_certificate(request: InstallCertificate, version: str) -> Message:
    name = _name(request.certificate_type, version, "certificate_type")
    return Message("InstallCertificate", {"certificateType": name, "certificate": request.pem})


@ADAPTER.builds(GetInstalledCertificateIds, fields={"certificateType": "types"})
def get_installed_certificate_ids(request: GetInstalledCertificateIds, version: str) -> Message:
    if len(request.types) != 1:
        raise CommandInvalid(V16_ONE_TYPE, field="types")
    return Message(
        "GetInstalledCertificateIds", {"certificateType": _name(request.types[0], version, "types")}
    )


@ADAPTER.reads(GetInstalledCertificateIds)
def installed_certificate_ids(
    request: GetInstalledCertificateIds, response: dict[str, Any], version: str
) -> InstalledIds:
    # Bare hash data, all of the one type asked.
    return InstalledIds(
        request.types,
        tuple(
            ReportedCertificate(request.types[0], HashData.from_ocpp(item), [])
            for item in response.get("certificateHashData") or []
        ),
    )


@ADAPTER.builds(DeleteCertificate, fields={"certificateHashData": "hash_data"})
def delete_certificate(request: DeleteCertificate, version: str) -> Message:
    return Message("DeleteCertificate", {"certificateHashData": request.hash_data.as_ocpp()})


@ADAPTER.builds(CertificateSigned, fields={"certificateChain": "chain"})
def certificate_signed(request: CertificateSigned, version: str) -> Message:
    # 1.6 signs only the station's own certificate, and has no field to say so.
    if request.certificate_type != IssuedCertificate.Type.CHARGING_STATION:
        raise CommandInvalid(
            TYPE_NOT_IN_VERSION.format(version=version, type=request.certificate_type),
            field="certificate_type",
        )
    return Message("CertificateSigned", {"certificateChain": request.chain})


def _name(kind: str, version: str, field: str) -> str:
    if kind not in _ROOTS:
        raise CommandInvalid(TYPE_NOT_IN_VERSION.format(version=version, type=kind), field=field)
    return _ROOTS[kind]
