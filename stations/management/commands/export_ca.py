"""Write the back office CA certificates (ca.pem) and their CRLs (crl.pem) for the TLS proxy
that checks security profile 3 stations' client certificates (docs/deployment.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backoffice.lib.certificates import CertificateError
from stations.services.security import certificate_revocation

NO_DIRECTORY = "Name the directory (--dir) or set OCPP_CA_EXPORT_DIR."


class Command(BaseCommand):
    help = "Write ca.pem and crl.pem (the CA certificates and CRLs) for nginx's ssl_crl."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", default=settings.OCPP_CA_EXPORT_DIR, help="Default: OCPP_CA_EXPORT_DIR."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["dir"]:
            raise CommandError(NO_DIRECTORY)
        try:
            files = certificate_revocation.export(directory=Path(options["dir"]))
        except CertificateError as err:  # the CA key does not open: wrong OCPP_CA_KEY_PASSWORD
            raise CommandError(str(err)) from None
        self.stdout.write(f"Wrote {files.ca} and {files.crl}.")
