"""A small HTTP/1.1 client for the page benchmark: sign in through the login form, time pages.

Standard library only (http.client), one keep-alive connection, cookies kept by hand (the
server's cookies carry no domain), loopback only.
"""

from __future__ import annotations

import http.client
import re
import statistics
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HOST = "127.0.0.1"
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    ms: float
    size: int
    location: str = ""


@dataclass(frozen=True, slots=True)
class Timing:
    """One page's result: its status and, when it answered 200, the request times."""

    label: str
    path: str
    status: int
    size: int
    times_ms: tuple[float, ...] = ()

    @property
    def missing(self) -> bool:
        return self.status == 404

    def percentile(self, p: int) -> float:
        if len(self.times_ms) < 2:
            return self.times_ms[0] if self.times_ms else 0.0
        return statistics.quantiles(self.times_ms, n=100, method="inclusive")[p - 1]


class Client:
    def __init__(self, port: int, *, timeout: float = 120) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None
        self._body = ""

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def get(self, path: str, *, first_byte: bool = False) -> Response:
        """GET `path`; with `first_byte`, time until the first body byte, then drop the rest."""
        return self._request("GET", path, first_byte=first_byte)

    def sign_in(self, username: str, password: str) -> None:
        """Sign in through the login form (CSRF cookie and token, then the session cookie)."""
        page = self._request("GET", "/accounts/login/", keep_body=True)
        match = _CSRF_INPUT.search(self._body)
        if page.status != 200 or match is None:
            raise RuntimeError(f"login form not found (HTTP {page.status})")
        # allauth's form: `login` takes a username or an email address.
        form = {"login": username, "password": password, "csrfmiddlewaretoken": match[1]}
        answer = self._request(
            "POST",
            "/accounts/login/",
            body=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in as {username} failed (HTTP {answer.status})")

    def _request(
        self,
        method: str,
        path: str,
        *,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        first_byte: bool = False,
        keep_body: bool = False,
    ) -> Response:
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self._conn is None:
            self._conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        started = time.perf_counter()
        self._conn.request(method, path, body=body, headers=all_headers)
        response = self._conn.getresponse()
        if first_byte:
            size = len(response.read(1))
            ms = (time.perf_counter() - started) * 1000
            self.close()  # the rest of a streamed body is not wanted
        else:
            data = response.read()
            ms = (time.perf_counter() - started) * 1000
            size = len(data)
            self._body = data.decode(errors="replace") if keep_body else ""
            if response.will_close:
                self.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        return Response(response.status, ms, size, response.headers.get("Location", ""))


def time_page(
    client: Client, label: str, path: str, *, runs: int, warmup: int, first_byte: bool = False
) -> Timing:
    """Warm up, then time `runs` requests; a page that does not answer 200 is not timed."""
    first = client.get(path, first_byte=first_byte)
    if first.status != 200:
        return Timing(label, path, first.status, first.size)
    for _ in range(max(0, warmup - 1)):
        client.get(path, first_byte=first_byte)
    times = []
    for _ in range(runs):
        answer = client.get(path, first_byte=first_byte)
        if answer.status != 200:
            return Timing(label, path, answer.status, answer.size, tuple(times))
        times.append(answer.ms)
    return Timing(label, path, 200, first.size, tuple(times))
