from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from backoffice.accounts.api import ObtainTokenApi

urlpatterns = [
    path("", include("stations.views.operator.urls")),
    # Sign in and out, password change (templates/registration/).
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("files/", include("stations.urls")),
    path("api/v1/auth/token/", ObtainTokenApi.as_view(), name="api_token"),
    path("api/v1/", include("stations.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
]
