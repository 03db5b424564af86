"""The embedded quick start (`make run`): SQLite, the in-memory channel layer, eager Celery.

Everything else runs on PostgreSQL, so this is where SQLite's gaps show (an index SQLite cannot
build, a JSON lookup it does not have): a demo station charges with the demo driver's card, and
the operator's and the driver's pages open on the data it made.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ocpp.v16 import call as call16

from stations.management.commands import seed_demo
from tests.ocpp_client import booted
from tests.server import ROOT, LiveOcppServer, server_env, start_server

IDENTITY = seed_demo.DEMO_STATIONS[0]

# Signs in as the demo operator and the demo driver and prints each page's status code.
PAGES = f"""
import json
from django.test import Client
from django.test.utils import setup_test_environment
from stations.models import Transaction
setup_test_environment()
tx = Transaction.objects.get()
codes = {{}}
operator, driver = Client(), Client()
operator.post("/accounts/login/", {{"login": {seed_demo.DEMO_USERNAME!r},
                                   "password": {seed_demo.DEMO_PASSWORD!r}}})
driver.post("/accounts/login/", {{"login": {seed_demo.DEMO_DRIVER_EMAIL!r},
                                 "password": {seed_demo.DEMO_DRIVER_PASSWORD!r}}})
for path in ["/", "/stations/", "/sessions/", f"/sessions/{{tx.pk}}/", "/tokens/", "/drivers/"]:
    codes["operator " + path] = operator.get(path).status_code
for path in ["/portal/", "/portal/start/", "/portal/start/{IDENTITY}/1/1/", "/portal/sessions/",
             f"/portal/sessions/{{tx.pk}}/", "/portal/tokens/", "/portal/profile/",
             "/api/v1/me/sessions/"]:
    codes["driver " + path] = driver.get(path).status_code
home = driver.get("/portal/").content.decode()
codes["driver sees the session"] = 200 if 'data-testid="session-card"' in home else 404
print(json.dumps(codes))
"""


@pytest.fixture(scope="module")
def quick_start(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveOcppServer, str]]:
    folder: Path = tmp_path_factory.mktemp("quick-start")
    embedded = {"DATABASE_URL": f"sqlite:///{folder}/db.sqlite3", "REDIS_URL": ""}
    env = server_env(database_name="quick-start", channel_prefix="quick-start", **embedded)
    manage(env, "migrate", "--noinput")
    printed = manage(env, "seed_demo")
    password = re.search(rf"Basic auth {IDENTITY} / (\S+)\)", printed)
    assert password is not None, printed
    server = start_server(database_name="quick-start", channel_prefix="quick-start", **embedded)
    try:
        yield server, password.group(1)
    finally:
        server.stop()


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def now() -> str:
    return datetime.now(UTC).isoformat()


@pytest.mark.asyncio
async def test_a_demo_station_charges_and_every_main_page_opens(quick_start):
    server, password = quick_start
    async with booted(server, IDENTITY, password=password) as cp:
        await cp.call(
            call16.StatusNotification(connector_id=1, error_code="NoError", status="Available")
        )
        started = await cp.call(
            call16.StartTransaction(
                connector_id=1,
                id_tag=seed_demo.DEMO_DRIVER_TOKEN,
                meter_start=1000,
                timestamp=now(),
            )
        )
        assert started.id_tag_info["status"] == "Accepted"
        await cp.call(
            call16.MeterValues(
                connector_id=1,
                transaction_id=started.transaction_id,
                meter_value=[
                    {
                        "timestamp": now(),
                        "sampledValue": [
                            {"value": "2500", "measurand": "Energy.Active.Import.Register"},
                            {"value": "61", "measurand": "SoC", "unit": "Percent"},
                        ],
                    }
                ],
            )
        )
        codes = json.loads(manage(server.env, "shell", "-c", PAGES).strip().splitlines()[-1])
        assert codes == dict.fromkeys(codes, 200), codes
