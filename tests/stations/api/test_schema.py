"""The OpenAPI schema and the browsable docs, served from our own static files."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from rest_framework.authtoken.models import Token

from stations.api.command_specs import neutral
from stations.api.registry import specs

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client, driver) -> dict:
    client.force_login(driver)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_every_registered_command_is_its_own_documented_operation(schema):
    for name, spec in specs().items():
        operation = schema["paths"][f"/api/v1/stations/{{identity}}/commands/{name}/"]["post"]
        assert operation["operationId"] == f"stations_commands_{name.replace('-', '_')}"
        assert operation["summary"] == spec.summary
        assert {"200", "400", "403", "404", "409", "504"} <= set(operation["responses"])


def test_a_commands_input_serializer_is_its_request_body(schema):
    operation = schema["paths"]["/api/v1/stations/{identity}/commands/remote-start/"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(component["properties"]) == set(neutral.RemoteStartInput().fields)
    assert component["required"] == ["id_token"]
    assert [p["name"] for p in operation["parameters"] if p["in"] == "query"] == ["timeout"]


def test_the_read_endpoints_are_documented_with_pagination_and_filters(schema):
    paths = schema["paths"]
    for path in (
        "/api/v1/stations/",
        "/api/v1/stations/{identity}/",
        "/api/v1/stations/{identity}/commands/",
        "/api/v1/commands/{command_id}/",
        "/api/v1/transactions/",
        "/api/v1/transactions/{transaction_id}/",
        "/api/v1/auth/token/",
    ):
        assert path in paths, path
    listing = paths["/api/v1/transactions/"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "station",
        "state",
        "started_after",
        "started_before",
        "page",
        "page_size",
    }
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_the_schema_and_docs_need_a_signed_in_user(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "paths" not in response.content.decode()


def test_an_api_token_opens_the_schema(client, driver):
    token = Token.objects.create(user=driver)
    response = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert b"/api/v1/stations/" in response.content


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_their_assets_from_our_static_files(client, operator, url):
    client.force_login(operator)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
    # Swagger UI's start script is a file of its own (no inline script under the CSP).
    if "?script=" in html:
        html += client.get(f"{url}?script=").content.decode()
    assert "/api/schema/" in html


def test_the_docs_assets_are_among_our_static_files():
    for asset in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
    ):
        assert finders.find(asset), asset
