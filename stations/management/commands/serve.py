"""Serve HTTP and OCPP with daphne, with the settings long-lived charger sockets need."""

from __future__ import annotations

import resource

from daphne.cli import CommandLineInterface
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


def raise_open_file_limit() -> int:
    """Lift the soft RLIMIT_NOFILE to the hard limit: each charger holds a socket."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Command(BaseCommand):
    help = "Serve the back office (HTTP and OCPP WebSockets) with daphne."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--proxy-headers",
            action="store_true",
            help="Trust X-Forwarded-* headers (behind a reverse proxy).",
        )

    def handle(self, *args: object, **options: object) -> None:
        limit = raise_open_file_limit()
        argv = [
            "--bind",
            str(options["host"]),
            "--port",
            str(options["port"]),
            # daphne's default closes every socket after 86400 s: chargers stay for months.
            "--websocket_timeout",
            "-1",
            # daphne drops handshakes not finished in 5 s; a reconnect storm needs longer.
            "--websocket_connect_timeout",
            "30",
            "--ping-interval",
            "30",
            "--ping-timeout",
            "60",
            # A safety net only: frames over OCPP_MAX_FRAME_BYTES are logged and closed (1009)
            # by the consumer itself.
            "--websocket-max-message-size",
            str(settings.OCPP_MAX_FRAME_BYTES * 4),
            "--application-close-timeout",
            "30",
            "--verbosity",
            "0",
        ]
        if settings.OCPP_TLS_CERT_FILE and settings.OCPP_TLS_KEY_FILE:
            argv += [
                "--endpoint",
                (
                    f"ssl:{settings.OCPP_TLS_PORT}:interface={options['host']}"
                    f":privateKey={settings.OCPP_TLS_KEY_FILE}:certKey={settings.OCPP_TLS_CERT_FILE}"
                ),
            ]
        if options["proxy_headers"]:
            argv.append("--proxy-headers")
        self.stdout.write(
            f"Serving HTTP and OCPP on {options['host']}:{options['port']} "
            f"(open-file limit {limit})"
        )
        CommandLineInterface().run(
            [*argv, settings.ASGI_APPLICATION.replace(".application", ":application")]
        )
