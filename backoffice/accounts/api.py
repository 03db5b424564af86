"""API tokens: a user trades their username and password for their token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response

from backoffice.lib import client_address

from .services import sign_in_policy


class ObtainTokenApi(ObtainAuthToken):
    """POST username and password, get `{"token": ...}` (the same token every time).

    Under the sign-in policy of every way in (docs/security.md): 429 with Retry-After while it
    refuses, keyed on the client's address as TRUSTED_PROXIES allow, never on a header it sends.
    """

    throttle_classes = []  # the sign-in policy, not DRF's per-view throttles

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data
        login = sign_in_policy.login_of(data) if isinstance(data, Mapping) else None
        address = client_address.from_request(request)
        if login:
            verdict = sign_in_policy.check(address=address, login=login)
            if not verdict.allowed:
                raise Throttled(
                    wait=verdict.retry_after, detail=str(sign_in_policy.TOO_MANY_ATTEMPTS)
                )
        response = super().post(request, *args, **kwargs)  # a wrong password raises (400)
        if login:
            sign_in_policy.succeeded(address=address, login=login)
        return response
