"""Browser tests: Debian's Chromium driven by Playwright's sync API against the live server.

Every request that leaves the app (any host but the server's own) is blocked and recorded, and
a test that caused one fails. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import environ
import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.server import ROOT, LiveOcppServer

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: Playwright's sync API keeps an event loop running in this
    # thread while it is open, and the asyncio tests that follow in the worker need their own.
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium; .ci/run does).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class AppBrowser:
    """A browser context on the live server that refuses every other host."""

    def __init__(self, context: BrowserContext, server: LiveOcppServer) -> None:
        self.context = context
        self.server = server
        self.blocked: list[str] = []
        context.route("**/*", self._route)
        self.page: Page = context.new_page()

    def _route(self, route, request) -> None:
        host = urlsplit(request.url).netloc
        if host == f"127.0.0.1:{self.server.port}" or request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(request.url)
            route.abort()

    def url(self, path: str) -> str:
        return f"{self.server.http_url}{path}"

    def sign_in_as(self, user) -> None:
        """Start a session for `user` without the sign-in form (tested on its own)."""
        client = Client()
        client.force_login(user)
        self.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": self.server.http_url,
                }
            ]
        )

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def app(browser: Browser, server: LiveOcppServer) -> Iterator[AppBrowser]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    app = AppBrowser(context, server)
    yield app
    context.close()
    assert not app.blocked, f"the page reached outside the app: {app.blocked}"


class Mailbox:
    """The emails a live server wrote with Django's file backend (`EMAIL_URL=filemail:////dir`,
    four slashes for an absolute dir): one file per connection, messages parted by dashes."""

    SEPARATOR = "\n" + "-" * 79 + "\n"

    def __init__(self, server: LiveOcppServer) -> None:
        url = server.env.get("EMAIL_URL", "")
        if not url.startswith("filemail://"):
            pytest.fail("this server does not write emails to files: start it with EMAIL_URL")
        self.path = Path(environ.Env.email_url_config(url)["EMAIL_FILE_PATH"])

    def messages(self) -> list[EmailMessage]:
        found = []
        for path in sorted(self.path.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
            for raw in path.read_text().split(self.SEPARATOR):
                if raw.strip():
                    message = email.message_from_string(raw.lstrip(), policy=email.policy.default)
                    found.append(message)
        return found

    def latest(self, to: str, timeout: float = 10) -> EmailMessage:
        """The newest message to `to`, waiting for it to be written."""
        deadline = time.monotonic() + timeout
        while True:
            mine = [m for m in self.messages() if to in str(m["To"])]
            if mine:
                return mine[-1]
            if time.monotonic() > deadline:
                pytest.fail(f"no email to {to} in {self.path}")
            time.sleep(0.1)

    @staticmethod
    def text(message: EmailMessage) -> str:
        body = message.get_body(preferencelist=("plain",))
        assert body is not None, "the email has no text part"
        return body.get_content()

    def link(self, message: EmailMessage, path_part: str) -> str:
        """The first link in the message's text whose path holds `path_part`."""
        for url in re.findall(r"https?://\S+", self.text(message)):
            if path_part in url:
                return url
        raise AssertionError(f"no link with {path_part!r} in:\n{self.text(message)}")
