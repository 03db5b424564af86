from __future__ import annotations

from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    name = "reservations"
    verbose_name = "Reservations"

    def ready(self) -> None:
        # Reservations follow the charging core's events.
        from . import subscribers  # noqa: F401
