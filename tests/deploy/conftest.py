"""A back office behind Debian's nginx, started once per test module with the deploy/ site."""

from __future__ import annotations

import pytest

from tests.deploy.nginx import Nginx, site_variables, start_nginx
from tests.server import LiveOcppServer, start_server
from tests.tls import ServerTls, make_server_tls


@pytest.fixture(scope="module")
def server_tls(tmp_path_factory: pytest.TempPathFactory) -> ServerTls:
    return make_server_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def proxied_server(django_db_setup, django_db_blocker) -> LiveOcppServer:
    """The back office, believing the proxy on 127.0.0.1 (TRUSTED_PROXIES)."""
    from django.conf import settings
    from django.db import connection

    server = start_server(
        database_name=connection.settings_dict["NAME"],
        channel_prefix=f"{settings.CHANNEL_PREFIX}-proxied",
        TRUSTED_PROXIES="127.0.0.1",
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def static_root(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("staticfiles")
    (root / "css").mkdir()
    (root / "css" / "site.0123abcd.css").write_text("body { color: black; }\n")
    return root


@pytest.fixture(scope="module")
def nginx(
    proxied_server: LiveOcppServer, server_tls: ServerTls, static_root, tmp_path_factory
) -> Nginx:
    variables = site_variables(
        upstream_port=proxied_server.port,
        tls_cert=server_tls.certificate,
        tls_key=server_tls.key,
        static_root=static_root,
    )
    proxy = start_nginx(tmp_path_factory.mktemp("nginx"), variables)
    yield proxy
    proxy.stop()
