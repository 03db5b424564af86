"""A back office behind Debian's nginx, started once per test module with the deploy/ site."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.nginx import Nginx, site_variables, start_nginx
from tests.server import LiveOcppServer, start_server
from tests.tls import ServerTls, make_server_tls


@dataclass(frozen=True)
class StationCa:
    """The back office CA the module's nginx checks client certificates against: its row
    (restored after each test's flush, so nginx's exported files stay right) and the directory
    of ca.pem and crl.pem."""

    directory: Path
    row: dict[str, Any]


@pytest.fixture(scope="module")
def server_tls(tmp_path_factory: pytest.TempPathFactory) -> ServerTls:
    return make_server_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def station_ca(django_db_setup, django_db_blocker, tmp_path_factory) -> StationCa:
    from backoffice.audit.models import AuditEvent
    from stations.models import CertificateAuthority
    from stations.services.security import certificate_authority, certificate_revocation

    directory = tmp_path_factory.mktemp("ca")
    with django_db_blocker.unblock():
        existed = CertificateAuthority.objects.exists()
        ca = certificate_authority.authority()
        certificate_revocation.export(directory=directory)
        row = {field.attname: getattr(ca, field.attname) for field in ca._meta.concrete_fields}
        if not existed:
            # Committed outside any test: leave the database as found (issuing_ca restores it).
            AuditEvent.objects.filter(target_id=str(ca.pk)).delete()
            ca.delete()
    return StationCa(directory=directory, row=row)


@pytest.fixture
def issuing_ca(station_ca: StationCa, transactional_db):
    """The module's CA as the active one in the test's (flushed) database."""
    from stations.models import CertificateAuthority

    found = CertificateAuthority.objects.filter(pk=station_ca.row["id"]).first()
    if found is None:
        CertificateAuthority.objects.filter(is_active=True).update(is_active=False)
        found = CertificateAuthority.objects.create(**station_ca.row)
    return found


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
    proxied_server: LiveOcppServer,
    server_tls: ServerTls,
    station_ca: StationCa,
    static_root,
    tmp_path_factory,
) -> Nginx:
    variables = site_variables(
        upstream_port=proxied_server.port,
        tls_cert=server_tls.certificate,
        tls_key=server_tls.key,
        static_root=static_root,
        ca_dir=station_ca.directory,
    )
    proxy = start_nginx(tmp_path_factory.mktemp("nginx"), variables)
    yield proxy
    proxy.stop()
