from __future__ import annotations

from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    name = "reservations"
    verbose_name = "Reservations"

    def ready(self) -> None:
        # The stations app does not import reservations: reservations follow its events, and
        # their commands join the catalogue, with the REST API's specs and the station page's
        # forms for them. Each registration stands alone (the specs carry their catalogue
        # command), and the API checks catalogue and specs against each other when it starts.
        from reservations import api_specs, forms
        from reservations.services.catalogue import COMMANDS
        from stations.api import registry
        from stations.forms import commands as command_forms
        from stations.services.commands import catalogue

        from . import subscribers  # noqa: F401

        catalogue.register(*COMMANDS)
        registry.register(*api_specs.SPECS)
        command_forms.register(*forms.FORMS, after="remote-stop")
