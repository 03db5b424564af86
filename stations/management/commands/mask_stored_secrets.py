"""Mask credentials stored in clear by versions that compared secret names case-sensitively
(run once after upgrading; safe to run again)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from stations.services.security.stored_secrets import mask_stored_secrets


class Command(BaseCommand):
    help = "Mask station credentials kept in clear in the device model, commands, audit and log."

    def handle(self, *args: Any, **options: Any) -> None:
        for kind, count in mask_stored_secrets().items():
            self.stdout.write(f"{kind}: {count} masked")
