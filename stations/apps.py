from __future__ import annotations

from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = "Charging stations"

    def ready(self) -> None:
        # The services send version-neutral requests; each version's adapter builds them.
        from stations.ocpp import adapters

        adapters.install()
        # Connects the id-token delete receiver: stations holding a deleted token (or a card of
        # a deleted group) must hear of it, however the row was deleted (admin, shell, cascade);
        # and the follow-up of a local-list send that left changes (`local_list.follow_up_due`).
        from stations.services.local_lists import token_sync  # noqa: F401
