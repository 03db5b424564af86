"""Register a charging station by hand: its id, site and security profile, and the password
it will present (shown once to the person who registered it, stored only as a hash)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from backoffice.audit import services as audit
from stations.exceptions import StationAlreadyRegistered
from stations.models import Site, Station
from stations.services.security import station_auth

STATION_ID_TAKEN = _("A station with this id is already registered.")


@dataclass(frozen=True, slots=True)
class Registered:
    station: Station
    # The plain password for profiles 1 and 2 (empty for profile 0): never stored, show once.
    password: str


def register(
    *,
    actor: Any,
    identity: str,
    name: str = "",
    site: Site | None,
    security_profile: int,
) -> Registered:
    """Create an accepted station with a generated password (profiles 1 and 2) and audit it.

    Raises StationAlreadyRegistered when the id is taken (also when a station connecting at
    the same moment registered itself first).
    """
    password = (
        station_auth.generate_password() if security_profile != Station.SecurityProfile.NONE else ""
    )
    try:
        with transaction.atomic():
            station = Station.objects.create(
                identity=identity,
                name=name,
                site=site,
                security_profile=security_profile,
                registration_status=Station.Registration.ACCEPTED,
                password_hash=station_auth.hash_password(password) if password else "",
            )
            audit.record(
                action="stations.station_registered",
                actor=actor,
                target=station,
                data={
                    "identity": identity,
                    "site": site.pk if site is not None else None,
                    "security_profile": security_profile,
                },
            )
    except IntegrityError as error:
        raise StationAlreadyRegistered(str(STATION_ID_TAKEN)) from error
    return Registered(station=station, password=password)
