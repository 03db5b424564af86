"""The driver API is documented in the OpenAPI schema."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/me/sessions/": {"get"},
    "/api/v1/me/sessions/{id}/": {"get"},
    "/api/v1/me/sessions/{id}/stop/": {"post"},
    "/api/v1/me/sessions/{id}/limits/": {"post"},
    "/api/v1/me/start/": {"post"},
    "/api/v1/me/starts/": {"get"},
    "/api/v1/me/sites/": {"get"},
    "/api/v1/me/stations/{identity}/": {"get"},
    "/api/v1/me/tokens/": {"get", "post"},
    "/api/v1/me/tokens/{id}/": {"get", "patch"},
    "/api/v1/me/tokens/{id}/block/": {"post"},
    "/api/v1/me/tokens/{id}/unblock/": {"post"},
    "/api/v1/me/reservations/": {"get"},
    "/api/v1/me/reservations/{id}/": {"get"},
    "/api/v1/me/reservations/{id}/cancel/": {"post"},
    "/api/v1/me/notifications/": {"get"},
    "/api/v1/me/notifications/read/": {"post"},
    "/api/v1/me/notifications/{id}/read/": {"post"},
    "/api/v1/me/profile/": {"get", "patch"},
}


def test_every_driver_endpoint_is_documented_with_401(client, driver):
    client.force_login(driver)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    for path, methods in PATHS.items():
        assert path in schema["paths"], path
        documented = schema["paths"][path]
        assert methods <= set(documented), path
        for method in methods:
            operation = documented[method]
            assert operation["operationId"].startswith("me_"), path
            assert operation["summary"], path
            assert "401" in operation["responses"], (path, method)
            if "{id}" in path:
                assert "404" in operation["responses"], (path, method)
