"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
# Django must be set up before the routing imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from backoffice import daphne_patches  # noqa: E402
from backoffice.routing import websocket_urlpatterns  # noqa: E402

daphne_patches.install()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Chargers and browsers have their own stacks: see backoffice/routing.py.
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
