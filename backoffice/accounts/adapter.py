"""allauth hooks: drivers get a profile when they sign up; staff skip email verification.

Verification is mandatory for people who sign themselves up (settings
ACCOUNT_EMAIL_VERIFICATION). Staff accounts are made by an admin, often with no email address at
all, and sign in with their username: asking them to verify would lock them out.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from backoffice.lib import client_address

from .services import sign_in_policy

_ALLAUTH_EMAIL_STAGE = "allauth.account.stages.EmailVerificationStage"
# Named, never imported here: this module is loaded at start (settings ACCOUNT_ADAPTER), and
# importing allauth's stages module at start breaks on allauth's own import cycle
# (login_stages.py says more).
_OUR_EMAIL_STAGE = "backoffice.accounts.login_stages.DriverEmailVerificationStage"


class AccountAdapter(DefaultAccountAdapter):
    def get_login_stages(self) -> list[str]:
        return [
            _OUR_EMAIL_STAGE if stage == _ALLAUTH_EMAIL_STAGE else stage
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
