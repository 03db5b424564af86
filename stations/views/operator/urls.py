"""The operator pages (namespace "operator"), one module per area."""

from __future__ import annotations

from django.urls import include, path

from backoffice.accounts.views import operator as tokens

from . import dashboard, qr, registration, sessions, sites, station_commands, stations

app_name = "operator"

urlpatterns = [
    path("", include(dashboard.urlpatterns)),
    path("sites/", include(sites.urlpatterns)),
    path("stations/", include(registration.urlpatterns)),
    path("stations/", include(stations.urlpatterns)),
    path("stations/", include(station_commands.urlpatterns)),
    path("stations/", include(qr.urlpatterns)),
    path("sessions/", include(sessions.urlpatterns)),
    path("tokens/", include(tokens.urlpatterns)),
]
