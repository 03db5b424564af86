"""What the CI smoke runs share: bounded waits, an HTTP client that keeps a session, a 1.6
charger, and child processes that are always stopped.

Only the standard library, `websockets` and `ocpp` (both in requirements.txt): the smoke runs
talk to the server the way a user's browser and a charger do, from outside.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http.client
import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16

T = TypeVar("T")


class SmokeFailure(Exception):
    """A step of the smoke run did not do what the README promises."""


def say(message: str) -> None:
    sys.stdout.write(f"smoke: {message}\n")
    sys.stdout.flush()


def run(main: Callable[[], int]) -> None:
    """Run a smoke script's main(): its exit code, or 1 with the failure said."""
    try:
        sys.exit(main())
    except SmokeFailure as failure:
        say(f"FAILED: {failure}")
        sys.exit(1)


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def wait_until(
    what: str, probe: Callable[[], T | None], *, timeout: float, every: float = 0.5
) -> T:
    """Call `probe` until it returns something truthy; SmokeFailure after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            result = probe()
        except (OSError, SmokeFailure) as error:  # not up yet: try again until the deadline
            last_error = error
        else:
            if result:
                return result
        time.sleep(every)
    raise SmokeFailure(f"{what}: not within {timeout:.0f} s (last error: {last_error!r})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- HTTP, as a browser does it -------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    status: int
    url: str
    body: str
    headers: dict[str, str]


class _TlsProxyPolicy(http.cookiejar.DefaultCookiePolicy):
    """Treat the connection as HTTPS: a TLS proxy would stand between us and the app."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return True


class Browser:
    """An HTTP client with a cookie jar: signs in through the form, sends the CSRF token."""

    def __init__(self, base_url: str, *, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        # Behind a TLS proxy (X-Forwarded-Proto: https) the browser's side is HTTPS: it keeps
        # and sends the cookies the app marks Secure.
        behind_tls = (headers or {}).get("X-Forwarded-Proto") == "https"
        self.jar = http.cookiejar.CookieJar(_TlsProxyPolicy() if behind_tls else None)
        # The origin the browser's address bar shows (Django's CSRF check compares it).
        self.origin = (
            self.base_url.replace("http://", "https://", 1) if behind_tls else self.base_url
        )
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        # Sent on every request, redirects included (e.g. X-Forwarded-Proto from a TLS proxy).
        self.opener.addheaders = list((headers or {}).items())

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.jar if cookie.name == name), None)

    def request(
        self, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Page:
        url = self.base_url + path
        request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                body = response.read().decode()
                return Page(response.status, response.url, body, dict(response.headers))
        except urllib.error.HTTPError as error:
            body = error.read().decode(errors="replace")
            return Page(error.code, error.url, body, dict(error.headers))

    def first_answer(self, path: str) -> Page:
        """The answer itself, redirects not followed (the Location is in `headers`)."""
        split = urllib.parse.urlsplit(self.base_url)
        connection = http.client.HTTPConnection(split.hostname or "", split.port, timeout=30)
        try:
            connection.request("GET", path, headers=dict(self.opener.addheaders))
            response = connection.getresponse()
            body = response.read().decode(errors="replace")
            return Page(response.status, self.base_url + path, body, dict(response.headers))
        finally:
            connection.close()

    def get(self, path: str) -> Page:
        return self.request(path)

    def post_form(self, path: str, fields: dict[str, str]) -> Page:
        token = self.cookie("csrftoken") or ""
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        # Over HTTPS, Django's CSRF check also wants the request to come from our own origin.
        origin = {"Origin": self.origin, "Referer": self.origin + path}
        return self.request(path, data=body, headers=origin)

    def sign_in(self, login: str, password: str) -> Page:
        form = self.get("/accounts/login/")
        check(form.status == 200, f"the sign-in page answered {form.status}")
        page = self.post_form("/accounts/login/", {"login": login, "password": password})
        check(page.status == 200, f"signing in as {login!r} ended in {page.status} at {page.url}")
        check("/accounts/login/" not in page.url, f"signing in as {login!r} was refused")
        return page


# --- a charger --------------------------------------------------------------------------------


class Charger16(ChargePoint16):
    """A 1.6 charger that accepts a Reset (the remote command the production smoke sends)."""

    resets = 0

    @on("Reset")
    def on_reset(self, type: str, **kwargs: Any) -> Any:
        self.resets += 1
        return result16.Reset(status="Accepted")


def basic_auth(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@contextlib.asynccontextmanager
async def booted_charger(url: str, identity: str, password: str) -> AsyncIterator[Charger16]:
    """A 1.6 charger connected with Basic auth, its BootNotification Accepted."""
    async with websockets.connect(
        url,
        subprotocols=[websockets.Subprotocol("ocpp1.6")],
        additional_headers=basic_auth(identity, password),
        open_timeout=15,
    ) as ws:
        check(ws.subprotocol == "ocpp1.6", f"the server chose subprotocol {ws.subprotocol!r}")
        charger = Charger16(identity, ws, response_timeout=15)
        task = asyncio.create_task(charger.start())
        try:
            boot = await charger.call(
                call16.BootNotification(charge_point_vendor="CI", charge_point_model="Smoke")
            )
            check(boot.status == "Accepted", f"BootNotification answered {boot.status}")
            say(f"{identity} booted: BootNotification {boot.status}")
            yield charger
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await task


# --- child processes --------------------------------------------------------------------------


class Processes:
    """Children started in their own process groups, all stopped (group and all) on exit."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.children: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path) -> Path:
        log = self.log_dir / f"{name}.log"
        with log.open("wb") as out:
            self.children[name] = subprocess.Popen(  # noqa: S603 - our own commands
                argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return log

    def check_running(self) -> None:
        for name, child in self.children.items():
            if child.poll() is not None:
                raise SmokeFailure(f"{name} exited with {child.returncode}: {self.tail(name)}")

    def tail(self, name: str, lines: int = 30) -> str:
        text = (self.log_dir / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop_all(self) -> None:
        for child in self.children.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
        for child in self.children.values():
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait(timeout=10)

    @contextlib.contextmanager
    def running(self) -> Iterator[Processes]:
        try:
            yield self
        finally:
            self.stop_all()
