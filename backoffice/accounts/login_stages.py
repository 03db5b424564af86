"""allauth login stages of our own: staff skip email verification.

allauth loads the stages its adapter names (`AccountAdapter.get_login_stages`) through its stage
controller, which lives in `allauth.account.stages`: by the time this module is imported, that
module is complete. Nothing else may import this module at start: `allauth.account.stages` cannot
be the first of allauth's account modules a process loads (it imports allauth's login flows,
which import it back), so a start-up import of it dies with "cannot import name 'LoginStage'
from partially initialized module", depending on what happened to load first.
"""

from __future__ import annotations

from allauth.account.stages import EmailVerificationStage
from django.http import HttpResponse

from . import roles


class DriverEmailVerificationStage(EmailVerificationStage):
    """allauth's verification stage, passed through for members of staff."""

    def handle(self) -> tuple[HttpResponse | None, bool]:
        if self.login.user is not None and roles.access_for(self.login.user).is_staff:
            return None, True
        return super().handle()
