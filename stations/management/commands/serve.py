"""Serve HTTP and OCPP with daphne, with the settings long-lived charger sockets need.

`--workers N` runs N daphne processes on one port, each with its own SO_REUSEPORT socket (the
kernel spreads new connections evenly), so all of a machine's cores serve stations. They share
PostgreSQL and the Redis channel layer: any process can command a station another one holds.
"""

from __future__ import annotations

import ipaddress
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import types
from typing import Any

from daphne.cli import CommandLineInterface
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backoffice import embedded_beat

WORKERS_NEED_REDIS = "Several workers share stations through Redis: set REDIS_URL."
WORKERS_AND_TLS = (
    "Several workers cannot share the TLS endpoint: terminate TLS at a proxy, or use one worker."
)
_BACKLOG = 4096
_PUBLIC_URL = "BACKOFFICE_PUBLIC_URL"


def served_url(*, host: str, port: int) -> str:
    """The base URL of what this server listens on (a wildcard bind is reached on loopback)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return f"http://{host}:{port}"
    if address.is_unspecified:
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    return f"http://[{address}]:{port}" if address.version == 6 else f"http://{address}:{port}"


def follow_served_address(*, host: str, port: int) -> str | None:
    """Point BACKOFFICE_PUBLIC_URL (QR codes, station file URLs) at this server when it is not
    set: the quick start on another PORT must not print codes for port 8000. Sets it in the
    environment too, for the worker processes. The URL chosen, or None when it was set."""
    if os.environ.get(_PUBLIC_URL):
        return None
    url = served_url(host=host, port=port)
    settings.BACKOFFICE_PUBLIC_URL = url
    os.environ[_PUBLIC_URL] = url
    return url


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
            "--workers",
            type=int,
            default=settings.SERVER_WORKERS,
            help="Server processes sharing the port (default: SERVER_WORKERS).",
        )
        # Internal: a worker serves the listening socket its parent opened.
        parser.add_argument("--fd", type=int, default=None, help="(internal)")

    def handle(self, *args: object, **options: Any) -> None:
        limit = raise_open_file_limit()
        workers = int(options["workers"])
        tls = bool(settings.OCPP_TLS_CERT_FILE and settings.OCPP_TLS_KEY_FILE)
        if options["fd"] is None:
            public = follow_served_address(host=str(options["host"]), port=int(options["port"]))
            if public:
                self.stdout.write(
                    f"QR codes and station file URLs use {public} (BACKOFFICE_PUBLIC_URL)"
                )
        if options["fd"] is None and workers > 1:
            if not settings.REDIS_URL:
                raise CommandError(WORKERS_NEED_REDIS)
            if tls:
                raise CommandError(WORKERS_AND_TLS)
            self.stdout.write(
                f"Serving HTTP and OCPP on {options['host']}:{options['port']} with {workers} "
                f"workers (open-file limit {limit})"
            )
            self.stdout.flush()
            _run_workers(workers, str(options["host"]), int(options["port"]), options)
            return
        if options["fd"] is not None:
            listen = ["--fd", str(options["fd"])]
        else:
            listen = ["--bind", str(options["host"]), "--port", str(options["port"])]
        argv = [
            *listen,
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
            # Autobahn refuses a frame (or fragmented message) over OCPP_MAX_FRAME_BYTES from
            # its header, unread, and closes with 1009 (backoffice/daphne_patches/close_codes.py).
            "--websocket-max-frame-size",
            str(settings.OCPP_MAX_FRAME_BYTES),
            "--websocket-max-message-size",
            str(settings.OCPP_MAX_FRAME_BYTES),
            "--application-close-timeout",
            "30",
            "--verbosity",
            "0",
        ]
        if tls:
            argv += [
                "--endpoint",
                (
                    f"ssl:{settings.OCPP_TLS_PORT}:interface={options['host']}"
                    f":privateKey={settings.OCPP_TLS_KEY_FILE}:certKey={settings.OCPP_TLS_CERT_FILE}"
                ),
            ]
        if options["fd"] is None:
            self.stdout.write(
                f"Serving HTTP and OCPP on {options['host']}:{options['port']} "
                f"(open-file limit {limit})"
            )
        if embedded_beat.needed():
            # No broker, so no celery beat: this (only) process runs the periodic tasks.
            embedded_beat.EmbeddedBeat().start()
        CommandLineInterface().run(
            [*argv, settings.ASGI_APPLICATION.replace(".application", ":application")]
        )


def _run_workers(count: int, host: str, port: int, options: dict[str, Any]) -> None:
    """Run `count` workers on the port, each on its own listening socket, and stop them all
    with the parent.

    The sockets share the port through SO_REUSEPORT, so the kernel spreads new connections
    evenly over them; on one shared socket the first worker to wake took most of a reconnect
    storm (338 of 400 stations, measured) while the other idled.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listeners = []
    for _ in range(count):
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind((host, port))
        listener.listen(_BACKLOG)
        listeners.append(listener)
    children = []
    for listener in listeners:
        fd = listener.fileno()
        argv = [sys.executable, sys.argv[0], "serve", "--fd", str(fd), "--workers", "1"]
        # Our own interpreter and manage.py.
        children.append(subprocess.Popen(argv, pass_fds=[fd]))  # noqa: S603

    def stop(signum: int, frame: types.FrameType | None) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # One worker dying takes the others down too: a supervisor restarts the whole server.
    while all(child.poll() is None for child in children):
        time.sleep(1)
    stop(signal.SIGTERM, None)
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
    for listener in listeners:
        listener.close()
