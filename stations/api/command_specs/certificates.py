"""The certificate commands of `stations.services.security.certificates` offered by the REST API.

Certificate types are the version-neutral names (`csms_root`, `v2g_chain`, `charging_station`,
...); a type the station's OCPP version has no name for is refused by the service with
CommandInvalid. Certificates a station asks the back office's CA to sign are delivered without
a command from here.
"""

from __future__ import annotations

from rest_framework import serializers

from backoffice.lib import certificates as x509lib
from stations.api.registry import spec
from stations.models import InstalledCertificate, IssuedCertificate

_ROOT_TYPES = [
    (value, label)
    for value, label in InstalledCertificate.Type.choices
    if value != InstalledCertificate.Type.V2G_CHAIN
]


def _pem_certificates(value: str) -> None:
    try:
        x509lib.load_certificates(value)
    except x509lib.CertificateError as err:
        raise serializers.ValidationError(str(err)) from None


class InstallCertificateInput(serializers.Serializer):
    certificate_type = serializers.ChoiceField(choices=_ROOT_TYPES)
    pem = serializers.CharField(
        required=False,
        max_length=10000,
        trim_whitespace=False,
        validators=[_pem_certificates],
        help_text="The root certificate (PEM); left out, the back office CA's certificate.",
    )


class GetInstalledCertificateIdsInput(serializers.Serializer):
    types = serializers.ListField(
        child=serializers.ChoiceField(choices=InstalledCertificate.Type.choices),
        required=False,
        allow_empty=False,
        help_text="OCPP 1.6: exactly one. 2.x: left out, every type.",
    )


class HashDataInput(serializers.Serializer):
    hash_algorithm = serializers.ChoiceField(choices=sorted(x509lib.HASH_ALGORITHMS))
    issuer_name_hash = serializers.RegexField(r"^[0-9A-Fa-f]+$", max_length=128)
    issuer_key_hash = serializers.RegexField(r"^[0-9A-Fa-f]+$", max_length=128)
    serial_number = serializers.RegexField(r"^[0-9A-Fa-f]+$", max_length=40)


class DeleteCertificateInput(serializers.Serializer):
    hash_data = HashDataInput()


class CertificateSignedInput(serializers.Serializer):
    chain = serializers.CharField(
        max_length=10000,
        trim_whitespace=False,
        validators=[_pem_certificates],
        help_text="The signed certificate and its sub-CA certificates (PEM), leaf first.",
    )
    certificate_type = serializers.ChoiceField(
        choices=IssuedCertificate.Type.choices, default=IssuedCertificate.Type.CHARGING_STATION
    )


SPECS = [
    spec("install-certificate", InstallCertificateInput),
    spec("get-installed-certificate-ids", GetInstalledCertificateIdsInput),
    spec("delete-certificate", DeleteCertificateInput),
    spec("certificate-signed", CertificateSignedInput),
]
