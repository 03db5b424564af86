"""Who may open a station socket: registration, security profile and Basic-auth password."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import structlog
from django.conf import settings
from django.db import IntegrityError

from backoffice.lib.forwarded_tls import ProxiedCertificate
from stations.models import Station
from stations.services.security import client_certificates, login_throttle, station_passwords

log = structlog.get_logger(__name__)

PASSWORD_MIN_LENGTH = station_passwords.PASSWORD_MIN_LENGTH
PASSWORD_MAX_LENGTH = station_passwords.PASSWORD_MAX_LENGTH


def generate_password() -> str:
    """A random station password: 32 URL-safe characters (within OCPP's 16 to 40), drawn again
    in the rare case it looks like something typed (a run like "abcd", a common word)."""
    while True:
        password = secrets.token_urlsafe(24)
        if station_passwords.is_acceptable(password):
            return password


def hash_password(password: str) -> str:
    """Salted SHA-256: station passwords are random secrets, so no slow hash is needed."""
    salt = secrets.token_hex(16)
    digest = hashlib.sha256(f"{salt}${password}".encode()).hexdigest()
    return f"sha256${salt}${digest}"


def check_password(password: str, encoded: str) -> bool:
    try:
        algorithm, salt, digest = encoded.split("$")
    except ValueError:
        return False
    if algorithm != "sha256":
        return False
    candidate = hashlib.sha256(f"{salt}${password}".encode()).hexdigest()
    return hmac.compare_digest(candidate, digest)


@dataclass(frozen=True, slots=True)
class Admission:
    station_id: int | None
    registration_status: str = ""
    reason: str = ""
    # Seconds the refusal is held before it is sent (login_throttle): the caller waits them.
    delay: float = 0.0

    @property
    def admitted(self) -> bool:
        return self.station_id is not None


def authenticate(
    *,
    identity: str,
    authorization: str | None,
    secure: bool,
    remote_addr: str = "",
    client_certificate: ProxiedCertificate | None = None,
) -> Admission:
    """Decide whether a socket for `identity` is admitted (DESIGN §4).

    Unknown stations are refused unless OCPP_ALLOW_UNKNOWN_STATIONS is on, in which case they
    are created Pending without credentials. Profile 1 and 2 need HTTP Basic with username =
    identity; profile 2 also needs TLS. Profile 3 needs TLS and the client certificate a
    trusted proxy verified (`client_certificates`); a Basic username, when sent, must still be
    the identity. A right password is always admitted; each failure is counted against
    `remote_addr` and its refusal carries the delay the address has earned.
    """
    if not _valid_identity(identity):
        return _refuse(identity, remote_addr, "invalid station id")
    station = (
        Station.objects.filter(identity=identity)
        .only("pk", "is_active", "security_profile", "password_hash", "registration_status")
        .first()
    )
    if station is None:
        if not settings.OCPP_ALLOW_UNKNOWN_STATIONS:
            return _refuse(identity, remote_addr, "unknown station")
        if reason := _may_register(remote_addr):
            return _refuse(identity, remote_addr, reason)
        station = _register_unknown(identity)
    reason = _check(station, identity, authorization, secure, client_certificate)
    if reason:
        return _refuse(identity, remote_addr, reason)
    return Admission(station.pk, registration_status=station.registration_status)


def _check(
    station: Station,
    identity: str,
    authorization: str | None,
    secure: bool,
    certificate: ProxiedCertificate | None = None,
) -> str:
    if not station.is_active:
        return "station is inactive"
    if station.security_profile == Station.SecurityProfile.NONE:
        return ""
    if station.security_profile >= Station.SecurityProfile.TLS_BASIC and not secure:
        return f"security profile {station.security_profile} requires TLS"
    if station.security_profile == Station.SecurityProfile.TLS_CLIENT_CERT:
        credentials = _basic_credentials(authorization)
        if credentials is not None and credentials[0] != identity:
            return "Basic username does not match the station id"
        return client_certificates.refusal(
            station=station, identity=identity, certificate=certificate
        )
    if not station.password_hash:
        return "no password set for station"
    credentials = _basic_credentials(authorization)
    if credentials is None:
        return "missing or malformed Basic authorization"
    username, password = credentials
    if username != identity:
        return "Basic username does not match the station id"
    if not check_password(password, station.password_hash):
        return "wrong password"
    return ""


def _valid_identity(identity: str) -> bool:
    # OCPP: 1 to 48 characters, no ":" (the Basic-auth separator). A URL path segment holds no
    # "/" (one arrives as %2F), and no one's id holds control characters (PostgreSQL refuses NUL).
    return (
        0 < len(identity) <= 48
        and ":" not in identity
        and "/" not in identity
        and identity.isprintable()
    )


def _may_register(remote_addr: str) -> str:
    """Why an unknown station may not be created now ("" if it may): anonymous sockets must
    not fill the station table, in total or from one address."""
    pending = Station.objects.filter(
        auto_registered=True, registration_status=Station.Registration.PENDING
    ).count()
    if pending >= settings.OCPP_MAX_PENDING_STATIONS:
        return "too many pending stations"
    if not login_throttle.allow_auto_registration(address=remote_addr):
        return "too many new stations from this address"
    return ""


def _register_unknown(identity: str) -> Station:
    try:
        station = Station.objects.create(
            identity=identity,
            registration_status=Station.Registration.PENDING,
            auto_registered=True,
            security_profile=Station.SecurityProfile.NONE,
        )
        log.info("station.auto_registered", identity=identity)
        return station
    except IntegrityError:
        return Station.objects.get(identity=identity)  # created by a concurrent connection


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


def _refuse(identity: str, remote_addr: str, reason: str) -> Admission:
    delay = login_throttle.record_failure(address=remote_addr)
    log.warning(
        "station.refused", identity=identity, remote_addr=remote_addr, reason=reason, delay=delay
    )
    return Admission(None, reason=reason, delay=delay)
