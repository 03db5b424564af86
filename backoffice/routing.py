from __future__ import annotations

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import re_path

from backoffice.live.consumer import LiveConsumer
from backoffice.live.origin import SameOriginValidator
from stations.ocpp.consumer import OcppConsumer

websocket_urlpatterns = [
    # Station ids arrive percent-decoded in scope["path"]; any character but "/" is allowed.
    # Chargers send no Origin header and no cookies: /ocpp/ is outside the browser stack.
    re_path(r"^ocpp/(?P<station_id>[^/]+)/?$", OcppConsumer.as_asgi()),
    # Browsers: signed-in sessions only, from this site's own pages (host and port).
    re_path(
        r"^ws/live/$",
        AllowedHostsOriginValidator(
            SameOriginValidator(AuthMiddlewareStack(LiveConsumer.as_asgi()))
        ),
    ),
]
