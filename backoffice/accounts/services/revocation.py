"""What a user holds open when their access changes: API tokens and live page sockets.

A session is checked on every request, but an API token and a live socket are judged once:
without these a token outlived a password change and a live socket kept streaming a site the
user had lost. Called by the model receivers in `backoffice/accounts/signals.py`, so every way
of making the change (admin, allauth's password change and reset, `changepassword`) is covered.
"""

from __future__ import annotations

import structlog
from rest_framework.authtoken.models import Token

from backoffice.lib import live_publisher as live

log = structlog.get_logger(__name__)


def password_changed(*, user_pk: int) -> None:
    """The user's API token dies with the old password (a new one is obtained with the new);
    live sockets of their other sessions close (Django signs those sessions out)."""
    deleted, _ = Token.objects.filter(user_id=user_pk).delete()
    if deleted:
        log.info("accounts.api_token_revoked", user_id=user_pk, reason="password changed")
    live.access_changed(user_pk=user_pk)


def access_changed(*, user_pk: int) -> None:
    """The user's role, sites or activity changed: their live sockets re-check (or close)."""
    live.access_changed(user_pk=user_pk)
