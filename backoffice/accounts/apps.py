from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "backoffice.accounts"
    label = "accounts"
    verbose_name = "Accounts and id tokens"

    def ready(self) -> None:
        # The sign-in policy's failure and success receivers; revocation on access changes.
        from . import backends, signals  # noqa: F401
