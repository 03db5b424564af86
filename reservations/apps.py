from __future__ import annotations

from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    name = "reservations"
    verbose_name = "Reservations"

    def ready(self) -> None:
        # The charging core does not import reservations: reservations follow its events, and
        # their commands join the catalogue the operator pages and the REST API read.
        from reservations.services.catalogue import COMMANDS
        from stations.services.commands import catalogue

        from . import subscribers  # noqa: F401

        catalogue.register(*COMMANDS)
