from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from backoffice.accounts.api import ObtainTokenApi
from backoffice.accounts.views import drivers as operator_drivers
from backoffice.accounts.views.home import home

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
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
]
