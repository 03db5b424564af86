"""Certificate management: the back office's certificate authority, the certificates it issued
to stations, and the certificates stations hold (as they report them, and as installed)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .commands import Command
from .stations import Station


class CertificateAuthority(models.Model):
    """The CA that signs stations' certificates (SignCertificate). Backed up with the database:
    the private key is PKCS#8 PEM, encrypted with OCPP_CA_KEY_PASSWORD (or, when that is not
    set, a password derived from SECRET_KEY). One is active; older ones stay for the record."""

    common_name = models.CharField(_("common name"), max_length=200)
    certificate_pem = models.TextField(_("certificate (PEM)"))
    private_key_pem = models.TextField(_("encrypted private key (PEM)"))
    serial_number = models.CharField(_("serial number"), max_length=40)
    not_after = models.DateTimeField(_("valid until"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_certificate_authority",
            )
        ]
        verbose_name = _("certificate authority")
        verbose_name_plural = _("certificate authorities")

    def __str__(self) -> str:
        return self.common_name


class IssuedCertificate(models.Model):
    """A certificate the back office's CA signed for a station, and its delivery
    (CertificateSigned) to the station."""

    class Type(models.TextChoices):
        CHARGING_STATION = "charging_station", _("Charging station (OCPP connection)")
        V2G = "v2g", _("ISO 15118-2 (V2G)")
        V2G20 = "v2g20", _("ISO 15118-20 (V2G)")

    class Delivery(models.TextChoices):
        PENDING = "pending", _("being sent")
        ACCEPTED = "accepted", _("accepted by the station")
        REJECTED = "rejected", _("rejected by the station")
        FAILED = "failed", _("not delivered")

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="issued_certificates"
    )
    authority = models.ForeignKey(
        CertificateAuthority, on_delete=models.PROTECT, related_name="issued"
    )
    certificate_type = models.CharField(max_length=20, choices=Type.choices)
    serial_number = models.CharField(max_length=40)
    subject = models.CharField(max_length=500)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    certificate_pem = models.TextField()
    # The station's requestId (OCPP 2.1), echoed in CertificateSigned.
    request_id = models.IntegerField(null=True, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    # Revoked certificates are listed in their CA's CRL (the proxy refuses them) and refused
    # by the app itself (stations/services/security/client_certificates.py).
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # The CertificateSigned command that delivered it.
    command = models.ForeignKey(
        Command, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["station", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "serial_number"], name="issued_certificate_serial_unique"
            )
        ]
        verbose_name = _("issued certificate")
        verbose_name_plural = _("issued certificates")

    def __str__(self) -> str:
        return self.subject


class InstalledCertificate(models.Model):
    """A certificate a station holds, by its hash data: from a GetInstalledCertificateIds
    answer (the list of the types asked is replaced) or an accepted InstallCertificate."""

    class Type(models.TextChoices):
        CSMS_ROOT = "csms_root", _("CSMS root")
        MANUFACTURER_ROOT = "manufacturer_root", _("Manufacturer root")
        V2G_ROOT = "v2g_root", _("V2G root")
        MO_ROOT = "mo_root", _("Mobility operator root")
        OEM_ROOT = "oem_root", _("OEM root")
        V2G_CHAIN = "v2g_chain", _("V2G certificate chain")

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="installed_certificates"
    )
    certificate_type = models.CharField(max_length=20, choices=Type.choices)
    hash_algorithm = models.CharField(max_length=8)
    issuer_name_hash = models.CharField(max_length=128)
    issuer_key_hash = models.CharField(max_length=128)
    serial_number = models.CharField(max_length=40)
    # Hash data of the sub-CA and leaf certificates of a V2G chain, as reported.
    child_certificates = models.JSONField(default=list, blank=True)
    # Known when the back office installed it.
    subject = models.CharField(max_length=500, blank=True)
    not_after = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["station", "certificate_type", "serial_number"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "station",
                    "hash_algorithm",
                    "issuer_name_hash",
                    "issuer_key_hash",
                    "serial_number",
                ],
                name="installed_certificate_unique_per_station",
            )
        ]
        verbose_name = _("installed certificate")
        verbose_name_plural = _("installed certificates")

    def __str__(self) -> str:
        return f"{self.get_certificate_type_display()} {self.serial_number}"
