"""API tokens: a user trades their username and password for their token."""

from __future__ import annotations

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle


class ObtainTokenApi(ObtainAuthToken):
    """POST username and password, get `{"token": ...}` (the same token every time).

    Throttled per client address (DEFAULT_THROTTLE_RATES["auth-token"]): passwords are not
    to be guessed through it.
    """

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth-token"
