"""Serve HTTP and OCPP with daphne, with the settings long-lived charger sockets need.

`--workers N` runs N daphne processes on one port, each with its own SO_REUSEPORT socket (the
kernel spreads new connections evenly), so all of a machine's cores serve stations. They share
PostgreSQL and the Redis channel layer: any process can command a station another one holds.
The parent supervises them: a worker that dies is started again while the others serve.
"""

from __future__ import annotations

import collections
import ctypes
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

import structlog
from daphne.cli import CommandLineInterface
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backoffice import embedded_beat

WORKERS_NEED_REDIS = "Several workers share stations through Redis: set REDIS_URL."
WORKERS_AND_TLS = (
    "Several workers cannot share the TLS endpoint: terminate TLS at a proxy, or use one worker."
)
_BACKLOG = 4096
# A worker that died is started again after this pause (on the socket it served)...
RESTART_DELAY_SECONDS = 1.0
# ...unless more workers than there are died within this window: then the server stops.
CRASH_WINDOW_SECONDS = 60.0
_POLL_SECONDS = 0.2
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# The workers' own --application-close-timeout is 30 s.
_STOP_TIMEOUT_SECONDS = 35.0
_PUBLIC_URL = "BACKOFFICE_PUBLIC_URL"

log = structlog.get_logger(__name__)


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


def stop_with_parent(parent: int) -> None:
    """Have the kernel send this worker SIGTERM, as a stop does, when its parent dies.

    A parent killed outright (SIGKILL, out of memory) cannot stop its workers: left running
    they would hold their sockets and stations while systemd waits for them to be gone before
    it starts the server again (TimeoutStopSec, then SIGKILL).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:
        raise CommandError("The serve process that started this worker is gone.")


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
        # Internal: the supervising parent's pid; the worker stops when that process dies.
        parser.add_argument("--parent", type=int, default=None, help="(internal)")

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
            if options["parent"] is not None:
                stop_with_parent(int(options["parent"]))
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
    """Run `count` workers on the port, each on its own listening socket, until the parent is
    told to stop; a worker that dies is replaced (Supervisor).

    The sockets share the port through SO_REUSEPORT, so the kernel spreads new connections
    evenly over them; on one shared socket the first worker to wake took most of a reconnect
    storm (338 of 400 stations, measured) while the other idled.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listeners = []
    try:
        for _ in range(count):
            listener = socket.socket(family, socket.SOCK_STREAM)
            listeners.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            listener.bind((host, port))
            listener.listen(_BACKLOG)
        Supervisor(listeners).run()
    finally:
        for listener in listeners:
            listener.close()


def worker_argv(fd: int) -> list[str]:
    """How the parent starts a worker on the listening socket `fd`."""
    parent = str(os.getpid())
    return [
        sys.executable,
        sys.argv[0],
        "serve",
        "--fd",
        str(fd),
        "--workers",
        "1",
        "--parent",
        parent,
    ]


class Supervisor:
    """One worker per listening socket, kept running until SIGTERM or SIGINT stops them all.

    A worker that exits while the parent is not stopping (killed, out of memory, crashed) is
    logged and started again on the same socket after RESTART_DELAY_SECONDS, while the others
    keep serving: the parent holds the socket, so the connections the kernel queues on it in
    the meantime wait for the replacement instead of being refused. Its stations reconnect
    by themselves, and the registry takes them at once (a newer connection replaces the dead
    worker's row; its Worker row expires after three missed beats). More deaths than workers
    within CRASH_WINDOW_SECONDS is a crash loop that restarting one worker will not cure: all
    stop and the command exits non-zero, for systemd to restart the whole server.
    """

    def __init__(self, listeners: list[socket.socket]) -> None:
        self._listeners = listeners
        self._workers: dict[int, subprocess.Popen[bytes]] = {}  # socket index -> process
        self._restart_at: dict[int, float] = {}  # socket index -> when to start it again
        self._deaths: collections.deque[float] = collections.deque()
        self._stopping = False
        self._gave_up = False

    def run(self) -> None:
        previous = {signum: signal.signal(signum, self._stop) for signum in _STOP_SIGNALS}
        try:
            for index in range(len(self._listeners)):
                self._start(index)
            while not self._stopping:
                self._reap()
                self._start_due()
                time.sleep(_POLL_SECONDS)
        finally:
            self._stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if self._gave_up:
            raise CommandError(
                f"Workers died {len(self._deaths)} times within {CRASH_WINDOW_SECONDS:.0f} s: "
                "stopped, for the service manager to restart the server."
            )

    def _stop(self, signum: int, frame: types.FrameType | None) -> None:
        # Only a flag: the loop stops the workers, also one it was starting right then.
        self._stopping = True

    def _start(self, index: int) -> None:
        fd = self._listeners[index].fileno()
        # Our own interpreter and manage.py.
        worker = subprocess.Popen(worker_argv(fd), pass_fds=[fd])  # noqa: S603
        self._workers[index] = worker
        log.info("serve.worker_started", pid=worker.pid, socket=index)

    def _reap(self) -> None:
        for index, worker in list(self._workers.items()):
            code = worker.poll()
            if code is None:
                continue
            del self._workers[index]
            now = time.monotonic()
            self._deaths.append(now)
            log.error(
                "serve.worker_died",
                pid=worker.pid,
                exit_code=code if code >= 0 else None,
                signal=signal.Signals(-code).name if code < 0 else None,
                restart_in=RESTART_DELAY_SECONDS,
            )
            if self._crash_loop():
                log.error("serve.crash_loop", deaths=len(self._deaths))
                self._stopping = self._gave_up = True
                return
            self._restart_at[index] = now + RESTART_DELAY_SECONDS

    def _crash_loop(self) -> bool:
        while self._deaths and self._deaths[0] < time.monotonic() - CRASH_WINDOW_SECONDS:
            self._deaths.popleft()
        return len(self._deaths) > len(self._listeners)

    def _start_due(self) -> None:
        now = time.monotonic()
        for index, due in list(self._restart_at.items()):
            if due <= now and not self._stopping:
                del self._restart_at[index]
                self._start(index)

    def _stop_all(self) -> None:
        """SIGTERM every worker (they close their sockets), then SIGKILL what is left after
        _STOP_TIMEOUT_SECONDS."""
        workers = list(self._workers.values())
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
        deadline = time.monotonic() + _STOP_TIMEOUT_SECONDS
        for worker in workers:
            try:
                worker.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
