"""Settings for the test suite: real PostgreSQL and Redis on loopback (DESIGN §8)."""

from __future__ import annotations

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backoffice")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
# One channel-layer and cache prefix per test database and xdist worker, shared by its test
# process and its servers, so two runs on one machine (with different DATABASE_URLs) never cross.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
if os.environ.get("TEST_PREFIXES_OF_WORKER", _worker) != _worker:
    # xdist's workers inherit the controller's environment, prefixes derived for "main" with it:
    # both workers shared them, and one worker's cache cleanup deleted the other's sign-in
    # counts mid-test. Prefixes a test gives its own server (same worker) are kept.
    for name in ("CHANNEL_PREFIX", "CACHE_KEY_PREFIX"):
        os.environ.pop(name, None)
os.environ["TEST_PREFIXES_OF_WORKER"] = _worker
os.environ.setdefault(
    "CHANNEL_PREFIX", f"test-{os.environ['DATABASE_URL'].rsplit('/', 1)[-1]}-{_worker}"
)
# The cache is shared with the worker's servers: they count failed logins together.
os.environ.setdefault("CACHE_KEY_PREFIX", f"{os.environ['CHANNEL_PREFIX']}-cache")

from .settings import *  # noqa: E402, F403

# Users' passwords in tests need no slow hashing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Eager unless a test's own server publishes to a broker (CELERY_TASK_ALWAYS_EAGER=false).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "true").lower() != "false"
# The live test servers serve static files straight from the apps and static/ (no collectstatic).
WHITENOISE_USE_FINDERS = True
