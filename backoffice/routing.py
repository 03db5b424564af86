from __future__ import annotations

from channels.auth import AuthMiddlewareStack
from channels.generic.websocket import WebsocketConsumer
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import re_path

from backoffice.live.consumer import LiveConsumer
from backoffice.live.origin import SameOriginValidator
from stations.ocpp.consumer import OcppConsumer


class RefusedConsumer(WebsocketConsumer):
    def connect(self) -> None:
        self.close()  # before accept(): daphne answers 403


websocket_urlpatterns = [
    # Station ids arrive percent-decoded in scope["path"]. Every path under ocpp goes to the
    # consumer, odd ones too (empty, "/" from %2F, control characters): it refuses them with
    # 403 and counts them as failed logins, where "No route found" was a 500.
    # Chargers send no Origin header and no cookies: /ocpp/ is outside the browser stack.
    re_path(r"(?s)^ocpp(?:/(?P<station_id>.*?))?/?$", OcppConsumer.as_asgi()),
    # Browsers: signed-in sessions only, from this site's own pages (host and port).
    re_path(
        r"^ws/live/$",
        AllowedHostsOriginValidator(
            SameOriginValidator(AuthMiddlewareStack(LiveConsumer.as_asgi()))
        ),
    ),
    # Any other socket: 403 at the upgrade, not daphne's 500 for "No route found".
    re_path(r"(?s)", RefusedConsumer.as_asgi()),
]
