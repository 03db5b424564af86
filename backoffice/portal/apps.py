from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "backoffice.portal"
    label = "portal"
    verbose_name = "Driver portal"

    def ready(self) -> None:
        # The portal reacts to the charging core's events and answers its questions.
        from . import subscribers  # noqa: F401
        from .services import terms  # noqa: F401
