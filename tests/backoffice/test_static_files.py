"""`collectstatic` with the production storage (the quick start's step): every file a static
file references (a stylesheet's image, a script's source map) must be there, or the manifest
storage refuses the whole run and `make run` stops."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command

from backoffice import settings as production


def test_collectstatic_with_the_manifest_storage_finds_every_referenced_file(settings, tmp_path):
    settings.STORAGES = production.STORAGES
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", "--noinput", verbosity=0)
    paths = json.loads(Path(tmp_path, "staticfiles.json").read_text())["paths"]
    # Leaflet's build names its source map: the hashed script points at the hashed map.
    assert "vendor/leaflet-1.9.4/dist/leaflet.js.map" in paths
    script = Path(tmp_path, paths["vendor/leaflet-1.9.4/dist/leaflet.js"]).read_text()
    hashed_map = Path(paths["vendor/leaflet-1.9.4/dist/leaflet.js.map"]).name
    assert script.rstrip().endswith(f"sourceMappingURL={hashed_map}")
