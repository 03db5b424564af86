"""Every class the production settings name imports first thing after django.setup().

A server start imports them in an order that depends on the command, the request and the
database, and the test settings load things in yet another order: an import cycle (allauth's
stages module imported by our adapter broke `check`, `migrate` and `serve`) shows only in a
fresh interpreter with the production settings module.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.server import ROOT

ENVIRONMENTS = {
    "production": {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    },
    "quick start": {"DATABASE_URL": "sqlite:///unused.sqlite3", "REDIS_URL": ""},
}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_class_the_settings_name_imports_in_a_fresh_interpreter(environment):
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(ENVIRONMENTS[environment], DJANGO_SETTINGS_MODULE="backoffice.settings")
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "tests.backoffice.fresh_import_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "checked" in done.stdout and "AccountAdapter" not in done.stdout
