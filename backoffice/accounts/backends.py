"""The sign-in policy in Django's model backend, first of AUTHENTICATION_BACKENDS: whatever calls
`authenticate()` with a request (allauth's pages, Django admin, the API token endpoint, and
anything added later) is refused while the policy says so, before any backend checks a password.

It replaces ModelBackend rather than sitting beside it: the first backend also serves sessions
(`get_user`) and permissions, and a second ModelBackend would check every password twice."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

from backoffice.lib import client_address

from .services import sign_in_policy

# Set on a request this backend refused, so the failure signal Django sends then counts nothing.
_REFUSED = "_sign_in_refused"
# The account name the request signed in with, for the success signal (which only has the user).
_LOGIN = "_sign_in_login"


class SignInPolicyBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **credentials: Any,
    ) -> Any:
        login = sign_in_policy.login_of({"username": username, **credentials})
        if request is not None and login is not None and password is not None:
            setattr(request, _LOGIN, login)
            address = client_address.from_request(request)
            verdict = sign_in_policy.check(address=address, login=login)
            if not verdict.allowed:
                setattr(request, _REFUSED, verdict)
                raise PermissionDenied(verdict.reason)  # Django's authenticate() stops here
        return super().authenticate(request, username=username, password=password, **credentials)


@receiver(user_login_failed)
def _count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    login = sign_in_policy.login_of(credentials)
    if request is None or login is None or getattr(request, _REFUSED, None) is not None:
        return
    sign_in_policy.failed(address=client_address.from_request(request), login=login)


@receiver(user_logged_in)
def _forgive(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    login = getattr(request, _LOGIN, None) if request is not None else None
    if login:
        sign_in_policy.succeeded(address=client_address.from_request(request), login=login)
