"""Run Debian's nginx with deploy/nginx/backoffice.conf, rendered as docs/deployment.md says
(envsubst over the BACKOFFICE_* variables), as an unprivileged test process: never the
system service."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.server import ROOT, free_port

SITE_TEMPLATE = ROOT / "deploy" / "nginx" / "backoffice.conf"
# What a worker logs (at notice level) when a reload retires it.
_OLD_WORKER_LEAVES = "gracefully shutting down"


def nginx_binary() -> str:
    # Debian installs it in /usr/sbin, which a non-root PATH may lack. .ci/run installs it.
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise RuntimeError("Debian's nginx is needed: apt-get install -y nginx")
    return found


def render_site(variables: dict[str, str]) -> str:
    """The site file with `variables` filled in by envsubst, exactly as the docs do it."""
    shell_format = " ".join(f"${{{name}}}" for name in variables)
    rendered = subprocess.run(  # noqa: S603 - fixed program, our own template
        ["envsubst", shell_format],  # noqa: S607 - gettext-base's envsubst, wherever it is
        input=SITE_TEMPLATE.read_text(),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **variables},
    ).stdout
    leftover = sorted({word for word in rendered.split() if "${BACKOFFICE_" in word})
    if leftover:
        raise AssertionError(f"template variables not rendered: {leftover}")
    return rendered


def nginx_command(directory: Path) -> list[str]:
    """nginx in the foreground on `directory`'s configuration, never the system service's."""
    return [
        nginx_binary(),
        "-p",
        str(directory),
        "-e",
        str(directory / "error.log"),
        "-c",
        str(directory / "nginx.conf"),
        "-g",
        f"daemon off; pid {directory / 'nginx.pid'};",
    ]


@dataclass
class Nginx:
    directory: Path
    http_port: int
    https_port: int
    process: subprocess.Popen

    def https_url(self, path: str = "/") -> str:
        return f"https://127.0.0.1:{self.https_port}{path}"

    def error_log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def dump_config(self) -> str:
        """The configuration as nginx parsed it (`nginx -T`)."""
        dumped = subprocess.run(  # noqa: S603 - our nginx, our config
            [*self._command(), "-T"], check=True, capture_output=True, text=True
        )
        return dumped.stdout

    def reload(self, timeout: float = 10) -> None:
        """Make nginx read its files again (`systemctl reload nginx` does the same), and
        return once the old worker has stopped taking connections."""
        retired = self.error_log().count(_OLD_WORKER_LEAVES)
        subprocess.run(  # noqa: S603 - our nginx, our config
            [*self._command(), "-s", "reload"], check=True, capture_output=True
        )
        deadline = time.monotonic() + timeout
        # The master starts new workers (with the new files) before it retires the old one.
        while self.error_log().count(_OLD_WORKER_LEAVES) <= retired:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not reload:\n{self.error_log()}")
            time.sleep(0.05)

    def _command(self) -> list[str]:
        return nginx_command(self.directory)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_nginx(directory: Path, variables: dict[str, str], timeout: float = 10) -> Nginx:
    """nginx serving the rendered site from `directory` on the variables' ports."""
    (directory / "temp").mkdir(exist_ok=True)
    (directory / "backoffice.conf").write_text(render_site(variables))
    temp = directory / "temp"
    # As root, nginx's workers would drop to nobody, who cannot enter pytest's private temp dirs.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (directory / "nginx.conf").write_text(
        f"{user}worker_processes 1;\n"
        f"error_log {directory / 'error.log'} notice;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        f"    access_log {directory / 'access.log'};\n"
        f"    client_body_temp_path {temp / 'body'};\n"
        f"    proxy_temp_path {temp / 'proxy'};\n"
        f"    fastcgi_temp_path {temp / 'fastcgi'};\n"
        f"    uwsgi_temp_path {temp / 'uwsgi'};\n"
        f"    scgi_temp_path {temp / 'scgi'};\n"
        f"    include {directory / 'backoffice.conf'};\n"
        "}\n"
    )
    command = nginx_command(directory)
    check = subprocess.run([*command, "-t"], capture_output=True, text=True)  # noqa: S603
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t refused the configuration:\n{check.stderr}")
    nginx = Nginx(
        directory=directory,
        http_port=int(variables["BACKOFFICE_HTTP_PORT"]),
        https_port=int(variables["BACKOFFICE_HTTPS_PORT"]),
        process=subprocess.Popen(  # noqa: S603 - Debian's nginx on the test's configuration
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ),
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if nginx.process.poll() is not None:
            raise RuntimeError(f"nginx exited:\n{nginx.error_log()}")
        try:
            with socket.create_connection(("127.0.0.1", nginx.https_port), timeout=0.5):
                return nginx
        except OSError:
            time.sleep(0.05)
    nginx.stop()
    raise RuntimeError(f"nginx did not listen within {timeout}s:\n{nginx.error_log()}")


def site_variables(
    *,
    upstream_port: int,
    tls_cert: Path,
    tls_key: Path,
    static_root: Path,
    ca_dir: Path,
) -> dict[str, str]:
    """Every variable the site template names, for a test on free loopback ports."""
    return {
        "BACKOFFICE_SERVER_NAME": "127.0.0.1 localhost",
        "BACKOFFICE_HTTP_PORT": str(free_port()),
        "BACKOFFICE_HTTPS_PORT": str(free_port()),
        "BACKOFFICE_UPSTREAM": f"127.0.0.1:{upstream_port}",
        "BACKOFFICE_TLS_CERT": str(tls_cert),
        "BACKOFFICE_TLS_KEY": str(tls_key),
        "BACKOFFICE_STATIC_ROOT": str(static_root),
        "BACKOFFICE_BODY_MAX": "10m",
        "BACKOFFICE_UPLOAD_MAX": "1m",
        "BACKOFFICE_FIRMWARE_MAX": "2m",
        "BACKOFFICE_CA_DIR": str(ca_dir),
    }
