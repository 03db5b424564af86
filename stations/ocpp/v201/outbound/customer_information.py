"""CustomerInformation in OCPP 2.0.1 and 2.1. They differ in the id token: 2.0.1 knows fewer
types and shorter tokens."""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import Message
from stations.services.device.customer_information import (
    CERTIFICATE_INCOMPLETE,
    HASH_ALGORITHMS,
    ID_TOKEN_NEEDS_TYPE,
    ID_TOKEN_TOO_LONG,
    NOTHING_ASKED,
    ONE_CUSTOMER,
    UNKNOWN_ID_TOKEN_TYPE,
)
from stations.services.device.requests import CertificateHash, CustomerInformation

from .adapter import ADAPTER
from .only_in_21 import V21

ID_TOKEN_TYPES_V201 = (
    "Central",
    "eMAID",
    "ISO14443",
    "ISO15693",
    "KeyCode",
    "Local",
    "MacAddress",
    "NoAuthorization",
)
ID_TOKEN_MAX = {"2.0.1": 36, "2.1": 255}


@ADAPTER.builds(
    CustomerInformation,
    fields={
        "idToken": "id_token",
        "idToken.type": "id_token_type",
        "customerIdentifier": "customer_identifier",
        "customerCertificate": "customer_certificate",
    },
)
def customer_information(request: CustomerInformation, version: str) -> Message:
    if not request.report and not request.clear:
        raise CommandInvalid(NOTHING_ASKED, field="report")
    named = (request.id_token, request.customer_identifier, request.customer_certificate)
    if sum(bool(given) for given in named) != 1:
        raise CommandInvalid(ONE_CUSTOMER)
    payload: dict[str, Any] = {
        "requestId": request.request_id,
        "report": request.report,
        "clear": request.clear,
    }
    if request.id_token:
        payload["idToken"] = _id_token(version, request.id_token, request.id_token_type)
    if request.customer_identifier:
        payload["customerIdentifier"] = request.customer_identifier
    if request.customer_certificate is not None:
        payload["customerCertificate"] = _certificate(request.customer_certificate)
    return Message("CustomerInformation", payload)


def _id_token(version: str, id_token: str, id_token_type: str) -> dict[str, str]:
    if not id_token_type:
        raise CommandInvalid(ID_TOKEN_NEEDS_TYPE, field="id_token_type")
    if version != V21 and id_token_type not in ID_TOKEN_TYPES_V201:
        raise CommandInvalid(
            UNKNOWN_ID_TOKEN_TYPE.format(types=", ".join(ID_TOKEN_TYPES_V201)),
            field="id_token_type",
        )
    limit = ID_TOKEN_MAX.get(version, ID_TOKEN_MAX["2.0.1"])
    if len(id_token) > limit:
        raise CommandInvalid(
            ID_TOKEN_TOO_LONG.format(version=version, limit=limit), field="id_token"
        )
    return {"idToken": id_token, "type": id_token_type}


def _certificate(certificate: CertificateHash) -> dict[str, str]:
    fields = (
        certificate.hash_algorithm,
        certificate.issuer_name_hash,
        certificate.issuer_key_hash,
        certificate.serial_number,
    )
    if not all(fields) or certificate.hash_algorithm not in HASH_ALGORITHMS:
        raise CommandInvalid(CERTIFICATE_INCOMPLETE, field="customer_certificate")
    return {
        "hashAlgorithm": certificate.hash_algorithm,
        "issuerNameHash": certificate.issuer_name_hash,
        "issuerKeyHash": certificate.issuer_key_hash,
        "serialNumber": certificate.serial_number,
    }
