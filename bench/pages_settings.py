"""Production settings for the page benchmark's server, with static files served unhashed.

`backoffice.settings` keeps static files in a manifest that `collectstatic` writes; pages that
name a file added since the last `collectstatic` would fail there. The benchmark times pages,
not static files, so it serves them from the finders (as the test settings do) and keeps every
other production setting (DEBUG off, persistent connections, Redis channel layer).
"""

from __future__ import annotations

from backoffice.settings import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
