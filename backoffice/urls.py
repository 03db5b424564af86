from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from backoffice.accounts.api import ObtainTokenApi
from backoffice.accounts.views import drivers as operator_drivers
from backoffice.accounts.views.home import home
from backoffice.middleware import content_security_policy

# Redoc styles its page with injected <style> elements and searches in a blob: worker.
redoc_policy = content_security_policy(
    style_src="'self' 'unsafe-inline'", worker_src="'self' blob:"
)

urlpatterns = [
    path("", include("stations.views.operator.urls")),
    path("home/", home, name="home"),
    path("portal/", include("backoffice.portal.urls")),
    # Sign up, email verification, sign in and out, password change and reset (allauth).
    path("accounts/", include("allauth.urls")),
    path("drivers/", include(operator_drivers)),
    path("admin/", admin.site.urls),
    path("files/", include("stations.urls")),
    path("api/v1/auth/token/", ObtainTokenApi.as_view(), name="api_token"),
    path("api/v1/me/", include("backoffice.portal.api.urls")),
    path("api/v1/", include("stations.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start script as a file (no inline script).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path(
        "api/redoc/",
        redoc_policy(SpectacularRedocView.as_view(url_name="api_schema")),
        name="api_redoc",
    ),
]
