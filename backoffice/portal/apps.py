from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "backoffice.portal"
    label = "portal"
    verbose_name = "Driver portal"
