"""allauth hooks: drivers get a profile when they sign up; staff skip email verification.

Verification is mandatory for people who sign themselves up (settings
ACCOUNT_EMAIL_VERIFICATION). Staff accounts are made by an admin, often with no email address at
all, and sign in with their username: asking them to verify would lock them out.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.stages import EmailVerificationStage
from django.http import HttpRequest, HttpResponse

from backoffice.lib import client_address

from . import roles
from .services import sign_in_policy

_ALLAUTH_EMAIL_STAGE = "allauth.account.stages.EmailVerificationStage"


class DriverEmailVerificationStage(EmailVerificationStage):
    """allauth's verification stage, passed through for members of staff."""

    def handle(self) -> tuple[HttpResponse | None, bool]:
        if self.login.user is not None and roles.access_for(self.login.user).is_staff:
            return None, True
        return super().handle()


class AccountAdapter(DefaultAccountAdapter):
    def get_login_stages(self) -> list[str]:
        return [
            f"{__name__}.DriverEmailVerificationStage" if stage == _ALLAUTH_EMAIL_STAGE else stage
            for stage in super().get_login_stages()
        ]

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        from .services import drivers

        user = super().save_user(request, user, form, commit=commit)
        if commit:
            drivers.signed_up(user=user)
        return user

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's own limits (sign-up, password reset) key on the address nobody can forge.
        return client_address.from_request(request)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """The sign-in policy (its backend refuses too; here the form says why)."""
        super().pre_authenticate(request, **credentials)
        login = sign_in_policy.login_of(credentials)
        address = client_address.from_request(request)
        if login and not sign_in_policy.check(address=address, login=login).allowed:
            raise self.validation_error("too_many_login_attempts")
