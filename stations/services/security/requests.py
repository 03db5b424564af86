"""Version-neutral requests of certificate management (see `commands.adapters`), and the
neutral reading of the one answer that carries more than a status.

Certificate types have neutral names (`InstalledCertificate.Type`, `IssuedCertificate.Type`);
each version's adapter writes them in its words and refuses a type it has no name for
(TYPE_NOT_IN_VERSION), nothing sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from backoffice.lib.certificates import HashData
from stations.models import IssuedCertificate
from stations.services.commands.adapters import Request

TYPE_NOT_IN_VERSION = "OCPP {version} has no certificate type {type!r}."
V16_ONE_TYPE = "An OCPP 1.6 station lists one certificate type at a time: name exactly one."


@dataclass(frozen=True, slots=True)
class InstallCertificate(Request):
    """Install a root certificate (PEM) of a neutral `InstalledCertificate.Type`."""

    title: ClassVar[str] = "InstallCertificate"
    certificate_type: str
    pem: str


@dataclass(frozen=True, slots=True)
class GetInstalledCertificateIds(Request):
    """List the station's certificates of `types`; none named: every type its version lists."""

    title: ClassVar[str] = "GetInstalledCertificateIds"
    types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeleteCertificate(Request):
    title: ClassVar[str] = "DeleteCertificate"
    hash_data: HashData


@dataclass(frozen=True, slots=True)
class CertificateSigned(Request):
    """A signed chain (PEM, leaf first); `request_id` is the SignCertificate's, echoed where
    the version has the field."""

    title: ClassVar[str] = "CertificateSigned"
    chain: str
    certificate_type: str = IssuedCertificate.Type.CHARGING_STATION
    request_id: int | None = None


@dataclass(frozen=True, slots=True)
class ReportedCertificate:
    """One certificate a station listed: its neutral type, hash data and its children's."""

    certificate_type: str
    hash_data: HashData
    children: list[dict[str, str]]


@dataclass(frozen=True, slots=True)
class InstalledIds:
    """A GetInstalledCertificateIds answer: the types it covers (those asked, or every type the
    version lists) and the certificates reported."""

    asked: tuple[str, ...]
    certificates: tuple[ReportedCertificate, ...]
