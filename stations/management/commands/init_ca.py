"""Create the back office's certificate authority (it is otherwise created on first use with a
default name), or replace it; print its certificate for installing on stations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backoffice.lib.certificates import CertificateError
from stations.services.commands.bus import Caller
from stations.services.security import certificate_authority


class Command(BaseCommand):
    help = "Create (or replace) the certificate authority that signs stations' certificates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--common-name", default=certificate_authority.DEFAULT_COMMON_NAME, help="CA's CN."
        )
        parser.add_argument("--organization", default="", help="CA's O (the operator's name).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Make a new CA even if one exists (stations renew onto it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            authority = certificate_authority.create_authority(
                common_name=options["common_name"],
                organization=options["organization"],
                replace=options["replace"],
                caller=Caller(label="manage.py init_ca"),
            )
        except CertificateError as err:
            raise CommandError(str(err)) from None
        self.stderr.write(f"Created {authority.common_name} (serial {authority.serial_number}).")
        self.stdout.write(authority.certificate_pem, ending="")
