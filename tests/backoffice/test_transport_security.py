"""Transport hardening (hole 7): served over TLS, cookies are Secure, browsers get HSTS and plain
http is redirected; only a trusted proxy may say a request came over TLS; every page carries a
Content-Security-Policy; and `check --deploy` is clean but for what docs/production-checks.md
explains."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from backoffice import middleware
from tests.server import ROOT

pytestmark = pytest.mark.django_db

PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "HTTPS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER"]}))
"""


def production(argv: list[str], **environment: str) -> subprocess.CompletedProcess[str]:
    """Run `argv` with the production settings module and `environment` (and no TLS setting
    inherited)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "HTTPS", "SECURE_", "BACKOFFICE_", "TRUSTED_"))
    }
    env.update(DJANGO_SETTINGS_MODULE="backoffice.settings", **environment)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        argv,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def production_settings(**environment: str) -> dict[str, object]:
    done = production([sys.executable, "-c", PROBE], **environment)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_https_public_url_turns_tls_hardening_on():
    on = production_settings(BACKOFFICE_PUBLIC_URL="https://cs.example.org")
    assert on["HTTPS"] and on["SESSION_COOKIE_SECURE"] and on["CSRF_COOKIE_SECURE"]
    assert on["SECURE_SSL_REDIRECT"] and on["SECURE_HSTS_SECONDS"] == 365 * 86400


def test_the_quick_start_over_http_keeps_it_off_and_https_false_turns_it_off():
    for environment in ({}, {"BACKOFFICE_PUBLIC_URL": "https://cs.example.org", "HTTPS": "false"}):
        off = production_settings(**environment)
        assert not (off["HTTPS"] or off["SESSION_COOKIE_SECURE"] or off["CSRF_COOKIE_SECURE"])
        assert not off["SECURE_SSL_REDIRECT"] and off["SECURE_HSTS_SECONDS"] == 0


def test_the_forwarded_proto_header_counts_only_with_trusted_proxies():
    assert production_settings(HTTPS="true")["SECURE_PROXY_SSL_HEADER"] is None
    trusted = production_settings(HTTPS="true", TRUSTED_PROXIES="127.0.0.1")
    assert trusted["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_check_deploy_reports_only_what_the_docs_explain():
    done = production(
        [sys.executable, "manage.py", "check", "--deploy"],
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SECRET_KEY="a-long-random-production-secret-key-" + "x7Qp" * 10,
        DEBUG="false",
        ALLOWED_HOSTS="cs.example.org",
        BACKOFFICE_PUBLIC_URL="https://cs.example.org",
        TRUSTED_PROXIES="127.0.0.1",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shown = set(re.findall(r"\(([\w.]+\.W\d{3})\)", done.stdout + done.stderr))
    explained = set(
        re.findall(r"`([\w.]+\.W\d{3})`", (ROOT / "docs/production-checks.md").read_text())
    )
    assert shown <= explained, done.stdout + done.stderr
    # The TLS switch leaves none of the cookie, HSTS and redirect warnings.
    assert not shown & {"security.W004", "security.W008", "security.W012", "security.W016"}


@pytest.fixture
def over_tls(settings):
    """What HTTPS=true with a TLS proxy on 127.0.0.1 sets."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 365 * 86400
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


def test_plain_http_is_redirected_and_https_gets_hsts(client, over_tls):
    login = reverse("account_login")
    plain = client.get(login)
    assert plain.status_code == 301
    assert plain["Location"] == f"https://testserver{login}"
    secure = client.get(login, secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


def test_session_and_csrf_cookies_are_secure_over_tls(client, over_tls, operator):
    operator.set_password("a-long-operator-password")
    operator.save()
    form = client.get(reverse("account_login"), secure=True)
    assert form.cookies["csrftoken"]["secure"]
    signed_in = client.post(
        reverse("account_login"),
        {"login": "operator", "password": "a-long-operator-password"},
        secure=True,
    )
    assert signed_in.status_code == 302
    session = signed_in.cookies["sessionid"]
    assert session["secure"] and session["httponly"]


def test_a_trusted_proxy_may_say_https_and_anyone_else_may_not(client, over_tls):
    login = reverse("account_login")
    proxied = client.get(login, headers={"X-Forwarded-Proto": "https"}, REMOTE_ADDR="127.0.0.1")
    assert proxied.status_code == 200
    forged = client.get(login, headers={"X-Forwarded-Proto": "https"}, REMOTE_ADDR="203.0.113.9")
    assert forged.status_code == 301


def test_every_page_carries_a_policy_without_inline_code(client, operator):
    client.force_login(operator)
    for url in [reverse("account_login"), "/", "/stations/", "/api/docs/"]:
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy, url
        assert "unsafe" not in policy and "object-src 'none'" in policy, url
        assert "frame-ancestors 'none'" in policy, url


def test_the_map_tile_server_is_allowed_for_images(settings):
    settings.MAP_TILE_URL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    assert middleware.directives()["img-src"] == "'self' data: https://*.tile.example.org"
    settings.MAP_TILE_URL = ""
    assert middleware.directives()["img-src"] == "'self' data:"
