"""CI: the production settings module on PostgreSQL and Redis, run as a deployment runs it.

On its own database (dropped and made again) and its own Redis database, so it never meets the
test suite: `migrate`, `check --deploy` in a production-like environment (every warning left
must be explained in docs/production-checks.md), `collectstatic` with the manifest storage,
`setup_periodic_tasks`, then `serve --workers 2`, a Celery worker and Celery beat. Then: the
admin signs in and a page and its hashed static files load; a 1.6 charger boots; remote
commands sent through the REST API with the admin's token reach it (through either server
process); and a periodic task run by beat and the worker does its work. Every child is
stopped at the end, whatever happened.

Run from the repository root with the virtualenv's python; `.ci/run` bounds it in time.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import redis
from smoke_lib import (
    Browser,
    Processes,
    SmokeFailure,
    booted_charger,
    check,
    free_port,
    run,
    say,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "bo_ci_production"
# Database 0 belongs to the test suite (and its per-worker prefixes): this run keeps to its own.
REDIS_URL = "redis://127.0.0.1:6379/13"
ADMIN, ADMIN_EMAIL = "ci-admin", "ci-admin@example.com"
STATION = "CI-PROD-CP-1"
COMMANDS = 4  # through a fresh connection each: the kernel spreads them over both workers
# What the TLS proxy in front adds to every request.
PROXY = {"X-Forwarded-Proto": "https"}
EXPLAINED = ROOT / "docs" / "production-checks.md"


def production_env(*, port: int) -> dict[str, str]:
    """A production-like environment: nothing the test settings would set."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "OCPP_", "BACKOFFICE_")) and name != "CHANNEL_PREFIX"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="backoffice.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        REDIS_URL=REDIS_URL,
        CHANNEL_PREFIX="ci-production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SUPERUSER_PASSWORD=secrets.token_urlsafe(18),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # As behind a TLS proxy on this machine: Secure cookies, HSTS, redirects to https, and
        # X-Forwarded-Proto believed from 127.0.0.1 only.
        BACKOFFICE_PUBLIC_URL=f"https://127.0.0.1:{port}",
        HTTPS="true",
        TRUSTED_PROXIES="127.0.0.1",
        MEDIA_ROOT=tempfile.mkdtemp(prefix="ci-production-media-"),
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise SmokeFailure(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def fresh_database_and_redis() -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{DATABASE}"')
    redis.Redis.from_url(REDIS_URL).flushdb()


def deploy_check(env: dict[str, str]) -> None:
    """`check --deploy`: no error, and each warning explained in docs/production-checks.md."""
    output = manage(env, "check", "--deploy")
    shown = set(re.findall(r"\(([\w.]+\.W\d{3})\)", output))
    explained = set(re.findall(r"`([\w.]+\.W\d{3})`", EXPLAINED.read_text()))
    check(not shown - explained, f"check --deploy warnings not in {EXPLAINED.name}:\n{output}")
    say(f"check --deploy: {', '.join(sorted(shown)) or 'clean'} (each explained)")


def prepare_data(env: dict[str, str]) -> str:
    """The admin, a registered station, a beat schedule due every 2 s and an overdue
    reservation for it to end; returns the station's password."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from reservations.models import Reservation
    from stations.models import Station
    from stations.services.security import station_auth

    manage(env, "createsuperuser", "--noinput", "--username", ADMIN, "--email", ADMIN_EMAIL)
    password = station_auth.generate_password()
    station = Station.objects.create(
        identity=STATION,
        name="CI production smoke",
        security_profile=Station.SecurityProfile.BASIC,
        password_hash=station_auth.hash_password(password),
    )
    # setup_periodic_tasks' sweep runs every minute; the smoke's copy every 2 s.
    every_2s, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="CI smoke: expire overdue reservations",
        task="reservations.tasks.expire_reservations",
        interval=every_2s,
    )
    Reservation.objects.create(
        station=station,
        id_tag="CI-TAG",
        reservation_id=secrets.randbelow(2**31),
        status=Reservation.Status.ACCEPTED,
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    return password


def start_services(processes: Processes, env: dict[str, str], *, port: int) -> None:
    python = sys.executable
    serve = ["manage.py", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    processes.start("serve", [python, *serve], env=env, cwd=ROOT)
    worker = processes.start(
        "celery-worker",
        [python, "-m", "celery", "-A", "backoffice", "worker", "-l", "info", "--concurrency", "2"],
        env=env,
        cwd=ROOT,
    )
    processes.start(
        "celery-beat",
        [python, "-m", "celery", "-A", "backoffice", "beat", "-l", "info"],
        env=env,
        cwd=ROOT,
    )

    def serving() -> bool:
        processes.check_running()
        return (
            Browser(f"http://127.0.0.1:{port}", headers=PROXY).get("/accounts/login/").status == 200
        )

    wait_until("the server answering", serving, timeout=60)

    def worker_ready() -> bool:
        processes.check_running()
        return " ready." in worker.read_text(errors="replace")

    wait_until("the Celery worker ready", worker_ready, timeout=60)
    say("serve --workers 2, a Celery worker and beat are up")


def pages_and_static_files(base: str, password: str) -> None:
    plain = Browser(base).first_answer("/accounts/login/")
    location = plain.headers.get("Location", "")
    check(plain.status == 301 and location.startswith("https://"), f"plain HTTP got {plain}")
    browser = Browser(base, headers=PROXY)
    page = browser.sign_in(ADMIN, password)
    check(
        all(cookie.secure for cookie in browser.jar if cookie.name in {"sessionid", "csrftoken"}),
        "the session or CSRF cookie is not Secure",
    )
    check("<h1>Dashboard</h1>" in page.body, "the admin's sign-in did not reach the dashboard")
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.body)
    check(assets, "the dashboard names no static file")
    for asset in assets:
        # The manifest storage's hashed names, served by WhiteNoise.
        check(re.search(r"\.[0-9a-f]{12}\.\w+$", asset), f"{asset} is not a hashed name")
        check(browser.get(asset).status == 200, f"{asset} is not served")
    check("Content-Security-Policy" in page.headers, "the dashboard has no CSP header")
    check("Strict-Transport-Security" in page.headers, "no HSTS header over HTTPS")
    say(f"the admin signed in; the dashboard and its {len(assets)} hashed static files load")


def api(base: str, path: str, body: dict[str, Any], token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    page = Browser(base, headers=PROXY).request(
        path, data=json.dumps(body).encode(), headers=headers
    )
    return page.status, json.loads(page.body)


async def charger_and_commands(base: str, ws_url: str, password: str) -> None:
    status, answer = await asyncio.to_thread(
        api,
        base,
        "/api/v1/auth/token/",
        {"username": ADMIN, "password": os.environ["DJANGO_SUPERUSER_PASSWORD"]},
    )
    check(status == 200 and "token" in answer, f"no API token: {status} {answer}")
    token = answer["token"]
    async with booted_charger(ws_url, STATION, password) as charger:
        for _ in range(COMMANDS):
            path = f"/api/v1/stations/{STATION}/commands/reset/"
            status, answer = await asyncio.to_thread(api, base, path, {"hard": False}, token)
            check(status == 200, f"the reset command answered {status}: {answer}")
            check(answer["result"]["status"] == "Accepted", f"the reset ended {answer}")
        check(charger.resets == COMMANDS, f"the charger got {charger.resets} of {COMMANDS} resets")
    say(f"{COMMANDS} remote resets through the REST API reached the charger and were accepted")


def periodic_task_ran() -> None:
    from django_celery_beat.models import PeriodicTask

    from reservations.models import Reservation

    def expired() -> bool:
        return Reservation.objects.filter(status=Reservation.Status.EXPIRED).exists()

    wait_until("beat and the worker expiring the overdue reservation", expired, timeout=60)
    runs = PeriodicTask.objects.get(name="CI smoke: expire overdue reservations").total_run_count
    say(f"beat sent the reservation sweep ({runs} runs so far) and the worker expired it")


def main() -> int:
    port = free_port()
    env = production_env(port=port)
    fresh_database_and_redis()
    say(f"database {DATABASE} and Redis {REDIS_URL} are fresh")
    manage(env, "migrate", "--noinput")
    deploy_check(env)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "setup_periodic_tasks")
    say("migrate, collectstatic and setup_periodic_tasks ran")
    station_password = prepare_data(env)
    base, ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ocpp/{STATION}"
    logs = Path(tempfile.mkdtemp(prefix="ci-production-logs-"))
    processes = Processes(logs)
    try:
        with processes.running():
            start_services(processes, env, port=port)
            pages_and_static_files(base, env["DJANGO_SUPERUSER_PASSWORD"])
            asyncio.run(charger_and_commands(base, ws_url, station_password))
            periodic_task_ran()
            processes.check_running()
    except SmokeFailure:
        for name in processes.children:
            say(f"--- last lines of {name}:\n{processes.tail(name)}")
        raise
    return 0


if __name__ == "__main__":
    run(main)
