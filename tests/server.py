"""Run the real back office (`manage.py serve`, daphne) in a subprocess for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import environ

ROOT = Path(__file__).resolve().parent.parent


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a `serve --workers N` parent's workers)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue  # the process ended while we looked
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveOcppServer:
    port: int
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, identity: str, suffix: str = "") -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp/{identity}{suffix}"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def server_env(*, database_name: str, channel_prefix: str, **overrides: str) -> dict[str, str]:
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backoffice")
    parsed = environ.Env.db_url_config(base_url)
    # Unless a test sets it, BACKOFFICE_PUBLIC_URL follows the server's own port (serve does it).
    inherited = ("DJANGO_ALLOW_ASYNC_UNSAFE", "BACKOFFICE_PUBLIC_URL")
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env.update(
        DJANGO_SETTINGS_MODULE="backoffice.settings_test",
        DATABASE_URL=(
            f"postgres://{parsed['USER'] or 'postgres'}@{parsed['HOST'] or '127.0.0.1'}:"
            f"{parsed['PORT'] or 5432}/{database_name}"
        ),
        CHANNEL_PREFIX=channel_prefix,
        OCPP_MESSAGE_LOG_FLUSH_SECONDS="0.05",
        OCPP_AUTH_FREE_FAILURES="100000",
        OCPP_RESPONSE_TIMEOUT="5",
        OCPP_WORKER_HEARTBEAT_SECONDS="2",
        OCPP_HEARTBEAT_INTERVAL="300",
        OCPP_BOOT_RETRY_INTERVAL="60",
        OCPP_MAX_FRAME_BYTES="65536",
        LOG_LEVEL="INFO",
    )
    env.update(overrides)
    return env


def start_server(
    *,
    database_name: str,
    channel_prefix: str,
    timeout: float = 30,
    workers: int = 1,
    **overrides: str,
) -> LiveOcppServer:
    port = free_port()
    env = server_env(database_name=database_name, channel_prefix=channel_prefix, **overrides)
    log_dir = ROOT / "test-artifacts"
    log_dir.mkdir(exist_ok=True)
    log_path = log_dir / f"server-{channel_prefix}-{port}.log"
    log_file = log_path.open("w")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return LiveOcppServer(port=port, process=process, log_path=log_path, env=env)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not listen within {timeout}s:\n{log_path.read_text()}")
