"""Certificate management in OCPP 2.0.1 and 2.1: 2.1 adds the OEM root, the ISO 15118-20
certificate and the SignCertificate's request id in CertificateSigned."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from backoffice.lib.certificates import HashData
from stations.exceptions import CommandInvalid
from stations.models import InstalledCertificate, IssuedCertificate
from stations.services.commands.adapters import Message
from stations.services.security.requests import (
    TYPE_NOT_IN_VERSION,
    CertificateSigned,
    DeleteCertificate,
    GetInstalledCertificateIds,
    InstallCertificate,
    InstalledIds,
    ReportedCertificate,
)

from .adapter import ADAPTER

_ROOTS_201: dict[str, str] = {
    InstalledCertificate.Type.CSMS_ROOT: "CSMSRootCertificate",
    InstalledCertificate.Type.MANUFACTURER_ROOT: "ManufacturerRootCertificate",
    InstalledCertificate.Type.V2G_ROOT: "V2GRootCertificate",
    InstalledCertificate.Type.MO_ROOT: "MORootCertificate",
}
_CHAIN: dict[str, str] = {InstalledCertificate.Type.V2G_CHAIN: "V2GCertificateChain"}
# Neutral type -> InstallCertificateUse.
_INSTALL: dict[str, dict[str, str]] = {
    "2.0.1": _ROOTS_201,
    "2.1": {**_ROOTS_201, InstalledCertificate.Type.OEM_ROOT: "OEMRootCertificate"},
}
# Neutral type -> GetCertificateIdUse: the roots, and the V2G chain the station holds.
_IDS: dict[str, dict[str, str]] = {
    version: {**roots, **_CHAIN} for version, roots in _INSTALL.items()
}
_SIGNING_201: dict[str, str] = {
    IssuedCertificate.Type.CHARGING_STATION: "ChargingStationCertificate",
    IssuedCertificate.Type.V2G: "V2GCertificate",
}
# Neutral type -> CertificateSigningUse.
_SIGNING: dict[str, dict[str, str]] = {
    "2.0.1": _SIGNING_201,
    "2.1": {**_SIGNING_201, IssuedCertificate.Type.V2G20: "V2G20Certificate"},
}


@ADAPTER.builds(
    InstallCertificate, fields={"certificateType": "certificate_type", "certificate": "pem"}
)
def install_certificate(request: InstallCertificate, version: str) -> Message:
    name = _name(_INSTALL, version, request.certificate_type, "certificate_type")
    return Message("InstallCertificate", {"certificateType": name, "certificate": request.pem})


@ADAPTER.builds(GetInstalledCertificateIds, fields={"certificateType": "types"})
def get_installed_certificate_ids(request: GetInstalledCertificateIds, version: str) -> Message:
    if not request.types:
        return Message("GetInstalledCertificateIds", {})
    names = [_name(_IDS, version, kind, "types") for kind in request.types]
    return Message("GetInstalledCertificateIds", {"certificateType": names})


@ADAPTER.reads(GetInstalledCertificateIds)
def installed_certificate_ids(
    request: GetInstalledCertificateIds, response: dict[str, Any], version: str
) -> InstalledIds:
    # Each certificate names its type; one the station names otherwise counts as the first asked.
    asked = request.types or tuple(_IDS[version])
    neutral = {name: kind for kind, name in _IDS[version].items()}
    return InstalledIds(
        asked,
        tuple(
            ReportedCertificate(
                neutral.get(item.get("certificateType", ""), asked[0]),
                HashData.from_ocpp(item["certificateHashData"]),
                [
                    asdict(HashData.from_ocpp(child))
                    for child in item.get("childCertificateHashData") or []
                ],
            )
            for item in response.get("certificateHashDataChain") or []
        ),
    )


@ADAPTER.builds(DeleteCertificate, fields={"certificateHashData": "hash_data"})
def delete_certificate(request: DeleteCertificate, version: str) -> Message:
    return Message("DeleteCertificate", {"certificateHashData": request.hash_data.as_ocpp()})


@ADAPTER.builds(
    CertificateSigned,
    fields={"certificateChain": "chain", "certificateType": "certificate_type"},
)
def certificate_signed(request: CertificateSigned, version: str) -> Message:
    name = _name(_SIGNING, version, request.certificate_type, "certificate_type")
    payload: dict[str, Any] = {"certificateChain": request.chain, "certificateType": name}
    if request.request_id is not None and version == "2.1":
        payload["requestId"] = request.request_id
    return Message("CertificateSigned", payload)


def signing_type(name: str | None) -> str:
    """The neutral type of a SignCertificate's CertificateSigningUse; absent, the certificate
    serves the station's OCPP connection (and its ISO 15118 one), so it is the station's."""
    uses = {ocpp_name: kind for kind, ocpp_name in _SIGNING["2.1"].items()}
    return uses.get(name or "", IssuedCertificate.Type.CHARGING_STATION)


def _name(table: dict[str, dict[str, str]], version: str, kind: str, field: str) -> str:
    names = table[version]
    if kind not in names:
        raise CommandInvalid(TYPE_NOT_IN_VERSION.format(version=version, type=kind), field=field)
    return names[kind]
