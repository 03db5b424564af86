"""Who may see and do what: the role of a user and the sites they are limited to (DESIGN §4).

Other apps scope their reads with `access_for(user)` (see `stations.selectors`): objects outside
a user's scope are answered 404, so ids cannot be probed; an action the role does not allow on
an object the user can see is answered 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import StaffProfile

ADMIN = StaffProfile.Role.ADMIN.value
OPERATOR = StaffProfile.Role.OPERATOR.value
VIEWER = StaffProfile.Role.VIEWER.value
# Any signed-in user without a staff profile: sees only their own tokens, sessions, commands.
DRIVER = "driver"
# Not signed in, or an inactive account.
NOBODY = ""

# Roles that may send commands to the stations they see.
_COMMANDING = frozenset({ADMIN, OPERATOR})
_CACHE_ATTRIBUTE = "_backoffice_access"


@dataclass(frozen=True, slots=True)
class Access:
    role: str
    # The sites whose stations the user sees; None: every site (and stations without one).
    site_ids: frozenset[int] | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in (ADMIN, OPERATOR, VIEWER)

    @property
    def can_command(self) -> bool:
        return self.role in _COMMANDING

    @property
    def all_sites(self) -> bool:
        """Staff of every site: they manage what works network-wide (id tokens, drivers)."""
        return self.is_staff and self.site_ids is None


def access_for(user: Any) -> Access:
    """The user's role and site scope, read once per user object (one request)."""
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    access = _read(user)
    if getattr(user, "pk", None) is not None:
        setattr(user, _CACHE_ATTRIBUTE, access)
    return access


def _read(user: Any) -> Access:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access(NOBODY, frozenset())
    if user.is_superuser:
        return Access(ADMIN)
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None:
        return Access(DRIVER, frozenset())
    if profile.role == ADMIN or profile.all_sites:
        return Access(profile.role)
    return Access(profile.role, frozenset(profile.sites.values_list("pk", flat=True)))
