"""deploy/systemd/ and deploy/backoffice.env: the units pass `systemd-analyze verify` with the
machine's paths, each command they run exists with the options they give it, and the
environment template names every setting the code reads, and nothing else."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server import ROOT

SYSTEMD = ROOT / "deploy" / "systemd"
ENV_TEMPLATE = ROOT / "deploy" / "backoffice.env"
UNITS = sorted(path for path in SYSTEMD.iterdir() if path.suffix in {".service", ".path"})
# The paths the units are written for, and where they are here.
INSTALLED = {
    "/srv/backoffice/venv/bin": str(Path(sys.executable).parent),
    "/srv/backoffice/app": str(ROOT),
}
_SETTING = re.compile(
    r'(?:env(?:\.\w+)?|env_secret|env_positive|os\.environ\.get)\(\s*"([A-Z][A-Z0-9_]+)"'
)
_ENV_LINE = re.compile(r"^#? ?([A-Z][A-Z0-9_]+)=(.*)$")


def settings_read() -> set[str]:
    """Every environment variable backoffice/settings.py reads."""
    return set(_SETTING.findall((ROOT / "backoffice" / "settings.py").read_text()))


def readme_settings() -> set[str]:
    table = (ROOT / "README.md").read_text().split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}


def template_entries() -> dict[str, tuple[str, bool]]:
    """NAME -> (value, active) for every line of the template naming a variable."""
    entries = {}
    for line in ENV_TEMPLATE.read_text().splitlines():
        found = _ENV_LINE.match(line)
        if found:
            # systemd's EnvironmentFile= drops one pair of enclosing quotes, as a shell does.
            value = found.group(2)
            if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            entries[found.group(1)] = (value, not line.startswith("#"))
    return entries


def exec_starts(unit: Path) -> list[list[str]]:
    return [
        shlex.split(line.split("=", 1)[1])
        for line in unit.read_text().splitlines()
        if line.startswith("ExecStart=")
    ]


def installed(text: str) -> str:
    for written, here in INSTALLED.items():
        text = text.replace(written, here)
    return text


def test_the_env_template_names_every_setting_and_only_settings():
    assert set(template_entries()) == settings_read()


def test_the_readme_table_names_every_setting_and_only_settings():
    assert readme_settings() == settings_read()


def test_the_env_template_loads_in_a_shell_as_the_docs_do():
    loaded = subprocess.run(  # noqa: S603 - a shell sourcing our template
        ["/bin/sh", "-c", 'set -a; . "$0"; set +a; env', str(ENV_TEMPLATE)],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert loaded.returncode == 0, loaded.stderr
    shell = dict(line.split("=", 1) for line in loaded.stdout.splitlines() if "=" in line)
    active = {name: value for name, (value, on) in template_entries().items() if on}
    assert {name: shell.get(name) for name in active} == active


def test_the_env_templates_values_are_accepted_by_the_settings(tmp_path):
    env = {name: value for name, (value, active) in template_entries().items() if active}
    # The real database and Redis of the tests instead of the example ones.
    env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    env["MEDIA_ROOT"] = str(tmp_path)
    checked = subprocess.run(  # noqa: S603 - our interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "backoffice.settings_test",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("unit", UNITS, ids=lambda path: path.name)
def test_each_unit_passes_systemd_analyze_verify(unit, tmp_path):
    verify = shutil.which("systemd-analyze")
    assert verify, "systemd-analyze (Debian's systemd package) is needed"
    for source in UNITS:
        (tmp_path / source.name).write_text(installed(source.read_text()))
    env_file = tmp_path / "backoffice.env"
    env_file.write_text(ENV_TEMPLATE.read_text())
    rendered = tmp_path / unit.name
    rendered.write_text(
        rendered.read_text().replace("/etc/backoffice/backoffice.env", str(env_file))
    )
    result = subprocess.run(  # noqa: S603 - systemd's own checker on our unit files
        [verify, "verify", str(rendered)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # Unknown keys and bad values are only warnings, on stderr: none is allowed.
    assert result.stderr.strip() == "", result.stderr


def test_the_server_unit_runs_serve_with_options_it_takes():
    from django.core.management import load_command_class

    [command] = exec_starts(SYSTEMD / "backoffice-server.service")
    assert command[1:3] == ["/srv/backoffice/app/manage.py", "serve"]
    serve = load_command_class("stations", "serve")
    options = serve.create_parser("manage.py", "serve").parse_args(command[3:])
    assert (options.host, options.port, options.workers) == ("127.0.0.1", 8000, 4)


@pytest.mark.parametrize(
    ("unit", "subcommand"),
    [("backoffice-celery-worker.service", "worker"), ("backoffice-celery-beat.service", "beat")],
)
def test_the_celery_units_run_commands_celery_takes(unit, subcommand):
    [command] = exec_starts(SYSTEMD / unit)
    assert command[:4] == ["/srv/backoffice/venv/bin/celery", "--app", "backoffice", subcommand]
    # Click refuses an unknown option before it shows the help.
    shown = subprocess.run(  # noqa: S603 - the venv's celery with the unit's arguments
        [installed(command[0]), *command[1:], "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "backoffice.settings_test"},
    )
    assert shown.returncode == 0, shown.stderr
    assert f"celery {subcommand}" in shown.stdout


def test_the_ca_reload_path_watches_the_export_dirs_crl():
    export_dir = template_entries()["OCPP_CA_EXPORT_DIR"][0]
    path_unit = (SYSTEMD / "backoffice-ca-reload.path").read_text()
    assert f"PathChanged={export_dir}/crl.pem" in path_unit
    assert "BACKOFFICE_CA_DIR=" + export_dir in (ROOT / "docs" / "deployment.md").read_text()


def test_the_nginx_site_documents_every_variable_it_uses():
    from tests.deploy.nginx import SITE_TEMPLATE, site_variables

    text = SITE_TEMPLATE.read_text()
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    used = set(re.findall(r"\$\{(BACKOFFICE_[A-Z_]+)\}", body))
    documented = set(re.findall(r"(BACKOFFICE_[A-Z_]+)=", header))
    given = set(
        site_variables(
            upstream_port=1,
            tls_cert=Path("c"),
            tls_key=Path("k"),
            static_root=Path("s"),
            ca_dir=Path("a"),
        )
    )
    assert used == documented == given
