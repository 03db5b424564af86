from __future__ import annotations

from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "backoffice.live"
    label = "live"
    verbose_name = "Live pages"

    def ready(self) -> None:
        # The pages hear of the charging core's events through these subscribers.
        from . import subscribers  # noqa: F401
