"""A station's security profile, changed over OCPP: raised, never lowered.

The profiles go up (OCPP 2.0.1 A00.FR.005 and the 1.6 Security Whitepaper: a station must not
fall back to a lower profile); an operator who really means to lower one does it in the
station's settings, never by a command. A raise asked with 2.x SetNetworkProfile or the 1.6
`SecurityProfile` configuration key is stored once the station accepts it: from its next
connection on, the station is admitted only as the new profile says.
"""

from __future__ import annotations

from django.db import transaction

from backoffice.audit import services as audit
from stations.exceptions import CommandInvalid
from stations.models import Station
from stations.services.commands.bus import SYSTEM, Caller

# The 1.6 configuration key, and the 2.x variable (read-only in 2.0.1), case-insensitive.
KEYS = frozenset({"securityprofile", "securityctrlr/securityprofile"})
NOT_A_PROFILE = "A security profile is 0, 1, 2 or 3."
LOWERING = (
    "The station uses security profile {current}: a command may only raise it, not lower it "
    "to {new}. To lower it, change the station's settings."
)


def is_profile_key(key: str) -> bool:
    return key.strip().lower() in KEYS


def parse(value: object) -> int:
    """A profile number from a command's value; CommandInvalid when it is none."""
    try:
        profile = int(str(value).strip())
    except ValueError:
        raise CommandInvalid(NOT_A_PROFILE, field="value") from None
    if profile not in Station.SecurityProfile.values:
        raise CommandInvalid(NOT_A_PROFILE, field="value")
    return profile


def check_not_lowered(*, station_id: int, profile: int, field: str = "value") -> None:
    """Raises CommandInvalid (nothing is sent) when `profile` is below the station's."""
    current = Station.objects.values_list("security_profile", flat=True).get(pk=station_id)
    if profile < current:
        raise CommandInvalid(LOWERING.format(current=current, new=profile), field=field)


def raised(*, station_id: int, profile: int, caller: Caller = SYSTEM) -> bool:
    """Store `profile` as the station's once it accepted it; only ever upwards.

    Returns whether the stored profile changed (False when it was already that or higher).
    """
    with transaction.atomic():
        # Locked: an operator's edit and a command's raise must not interleave.
        station = (
            Station.objects.select_for_update().only("pk", "security_profile").get(pk=station_id)
        )
        if profile <= station.security_profile:
            return False
        previous = station.security_profile
        station.security_profile = profile
        station.save(update_fields=["security_profile"])
        audit.record(
            action="stations.security_profile_raised",
            actor=caller.user if getattr(caller.user, "pk", None) else None,
            actor_label=caller.label,
            target=station,
            data={"from": previous, "to": profile},
        )
    return True
