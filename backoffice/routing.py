from __future__ import annotations

from django.urls import re_path

from stations.ocpp.consumer import OcppConsumer

websocket_urlpatterns = [
    # Station ids arrive percent-decoded in scope["path"]; any character but "/" is allowed.
    re_path(r"^ocpp/(?P<station_id>[^/]+)/?$", OcppConsumer.as_asgi()),
]
