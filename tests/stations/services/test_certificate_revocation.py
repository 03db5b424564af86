"""Revoking station certificates and publishing the CA and its CRL for the TLS proxy."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from django.core.management import CommandError, call_command
from django.urls import reverse

from backoffice.audit.models import AuditEvent
from stations.models import CertificateAuthority, IssuedCertificate
from stations.services.security import certificate_authority, certificate_revocation
from stations.tasks import refresh_ca_export
from tests.x509 import csr_pem

pytestmark = pytest.mark.django_db


def issued(station) -> IssuedCertificate:
    decision = certificate_authority.sign_request(
        station_id=station.pk, csr=csr_pem(station.identity)
    )
    assert decision.certificate is not None
    return decision.certificate


def crls(path: Path) -> list[x509.CertificateRevocationList]:
    blocks = path.read_text().split("-----END X509 CRL-----")
    return [
        x509.load_pem_x509_crl((block + "-----END X509 CRL-----").strip().encode())
        for block in blocks
        if block.strip()
    ]


def test_a_revoked_certificate_is_listed_in_its_cas_crl(v16):
    certificate = issued(v16)
    kept = issued(v16)
    certificate_revocation.revoke(certificate_id=certificate.pk)
    ca = CertificateAuthority.objects.get(is_active=True)
    crl = x509.load_pem_x509_crl(certificate_revocation.crl_pem(ca=ca).encode())
    ca_certificate = x509.load_pem_x509_certificate(ca.certificate_pem.encode())
    assert crl.is_signature_valid(ca_certificate.public_key())
    assert crl.issuer == ca_certificate.subject
    assert crl.get_revoked_certificate_by_serial_number(int(certificate.serial_number, 16))
    assert crl.get_revoked_certificate_by_serial_number(int(kept.serial_number, 16)) is None
    assert crl.next_update_utc is not None


def test_revoking_twice_changes_nothing(v16):
    certificate = issued(v16)
    first = certificate_revocation.revoke(certificate_id=certificate.pk).revoked_at
    assert certificate_revocation.revoke(certificate_id=certificate.pk).revoked_at == first
    assert AuditEvent.objects.filter(action="stations.certificate_revoked").count() == 1


def test_export_writes_every_valid_ca_and_a_crl_for_each(v16, tmp_path):
    old = issued(v16)
    certificate_revocation.revoke(certificate_id=old.pk)
    certificate_authority.create_authority(common_name="Second CA", replace=True)
    files = certificate_revocation.export(directory=tmp_path / "ca")
    authorities = x509.load_pem_x509_certificates(files.ca.read_bytes())
    assert {a.subject.rfc4514_string() for a in authorities} == {
        f"CN={certificate_authority.DEFAULT_COMMON_NAME}",
        "CN=Second CA",
    }
    lists = crls(files.crl)
    assert {crl.issuer for crl in lists} == {a.subject for a in authorities}
    # The replaced CA's list still names the certificate it issued and that was revoked.
    [old_list] = [crl for crl in lists if "Second CA" not in crl.issuer.rfc4514_string()]
    assert old_list.get_revoked_certificate_by_serial_number(int(old.serial_number, 16))


@pytest.mark.django_db(transaction=True)
def test_a_revocation_writes_the_crl_again_when_an_export_dir_is_set(v16, tmp_path, settings):
    settings.OCPP_CA_EXPORT_DIR = str(tmp_path)
    certificate = issued(v16)
    refresh_ca_export()
    assert not crls(tmp_path / "crl.pem")[0].get_revoked_certificate_by_serial_number(
        int(certificate.serial_number, 16)
    )
    certificate_revocation.revoke(certificate_id=certificate.pk)
    assert crls(tmp_path / "crl.pem")[0].get_revoked_certificate_by_serial_number(
        int(certificate.serial_number, 16)
    )


def test_the_export_command_writes_the_files(tmp_path, capsys):
    call_command("export_ca", "--dir", str(tmp_path))
    assert (tmp_path / "ca.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert (tmp_path / "crl.pem").read_text().startswith("-----BEGIN X509 CRL-----")
    assert "Wrote" in capsys.readouterr().out


def test_the_export_command_needs_a_directory(settings):
    settings.OCPP_CA_EXPORT_DIR = ""
    with pytest.raises(CommandError, match="OCPP_CA_EXPORT_DIR"):
        call_command("export_ca")


def test_an_admin_revokes_certificates_from_the_admin(admin_client, v16):
    certificate = issued(v16)
    url = reverse("admin:stations_issuedcertificate_changelist")
    response = admin_client.post(
        url, {"action": "revoke", "_selected_action": [certificate.pk]}, follow=True
    )
    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    event = AuditEvent.objects.get(action="stations.certificate_revoked")
    assert event.actor.is_superuser


def test_a_viewer_of_the_admin_cannot_revoke(client, v16, django_user_model):
    from django.contrib.auth.models import Permission

    certificate = issued(v16)
    staff = django_user_model.objects.create_user("auditor", password="pw", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_issuedcertificate"))
    client.force_login(staff)
    url = reverse("admin:stations_issuedcertificate_changelist")
    client.post(url, {"action": "revoke", "_selected_action": [certificate.pk]})
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
