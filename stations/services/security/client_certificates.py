"""Security profile 3: whether the client certificate a trusted TLS proxy verified admits a
station (DESIGN §4).

nginx verifies the certificate against the back office CA and its CRL
(deploy/nginx/backoffice.conf) and forwards its verdict and the certificate itself; only a
peer in TRUSTED_PROXIES is believed (backoffice/lib/forwarded_tls.py). Here the certificate
must be one this back office issued to this very station (CN = station id), unexpired and not
revoked: checked again against the database, so a revocation counts before nginx reloads its
CRL. Every refusal is kept as a security event on the station.
"""

from __future__ import annotations

from cryptography import x509
from django.utils import timezone

from backoffice.lib import certificates as x509lib
from backoffice.lib.forwarded_tls import ProxiedCertificate
from stations.models import IssuedCertificate, Station
from stations.services.security import security_events

REFUSED_EVENT = "InvalidChargingStationCertificate"
NO_CERTIFICATE = "security profile 3 needs a client certificate verified by the TLS proxy"
PROXY_REFUSED = "the TLS proxy refused the client certificate ({verify})"
UNREADABLE = "the client certificate is not readable"
WRONG_COMMON_NAME = "the client certificate's CN {common_name!r} is not the station id"
NOT_ISSUED = "the client certificate was not issued to this station by the back office CA"
REVOKED = "the client certificate is revoked"
EXPIRED = "the client certificate is not valid now"


def refusal(*, station: Station, identity: str, certificate: ProxiedCertificate | None) -> str:
    """Why `certificate` does not admit `station` (reached as `identity`), or "" when it does.

    A refusal is recorded as an `InvalidChargingStationCertificate` security event.
    """
    reason = _reason(station, identity, certificate)
    if reason:
        security_events.record_event(
            station_id=station.pk,
            type=REFUSED_EVENT,
            tech_info=reason,
            timestamp=timezone.now(),
            raised_by_backoffice=True,
        )
    return reason


def _reason(station: Station, identity: str, certificate: ProxiedCertificate | None) -> str:
    if certificate is None or certificate.verify == "NONE":
        return NO_CERTIFICATE
    if not certificate.verified:
        return PROXY_REFUSED.format(verify=certificate.verify[:200])
    try:
        parsed = x509.load_pem_x509_certificate(certificate.pem.encode())
    except ValueError:
        return UNREADABLE
    common_name = x509lib.common_name(parsed.subject)
    if common_name != identity:
        return WRONG_COMMON_NAME.format(common_name=common_name[:64])
    issued = (
        IssuedCertificate.objects.filter(
            station=station,
            certificate_type=IssuedCertificate.Type.CHARGING_STATION,
            serial_number=x509lib.serial_hex(parsed.serial_number),
        )
        .only("certificate_pem", "revoked_at", "not_before", "not_after")
        .first()
    )
    # The same serial from another issuer is not ours: the whole certificate must match.
    if issued is None or issued.certificate_pem.strip() != x509lib.to_pem(parsed).strip():
        return NOT_ISSUED
    if issued.revoked_at is not None:
        return REVOKED
    if not issued.not_before <= timezone.now() <= issued.not_after:
        return EXPIRED
    return ""
