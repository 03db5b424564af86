"""What stations report besides sessions: data transfers, jobs, security events, reports kept
whole, battery swaps, and the raw OCPP message log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.lib import firmware_signing

from .commands import Command
from .stations import Station


class DataTransferRecord(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="data_transfers")
    vendor_id = models.CharField(max_length=255)
    message_id = models.CharField(max_length=50, blank=True)
    data = models.TextField(blank=True)
    response_status = models.CharField(max_length=20)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("data transfer")
        verbose_name_plural = _("data transfers")

    def __str__(self) -> str:
        return f"{self.vendor_id} {self.message_id}".strip()


class FirmwareFile(models.Model):
    """A firmware image an operator uploaded, fetched by stations told to UpdateFirmware."""

    name = models.CharField(max_length=255)
    version = models.CharField(max_length=100, blank=True)
    file = models.FileField(upload_to="firmware/")
    # Signed firmware (1.6 SignedUpdateFirmware, 2.x UpdateFirmware): the image's signature,
    # base64, and the PEM certificate it was signed with. Both or neither.
    signature = models.TextField(_("signature (base64)"), max_length=800, blank=True)
    signing_certificate = models.TextField(
        _("signing certificate (PEM)"), max_length=5500, blank=True
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("firmware file")
        verbose_name_plural = _("firmware files")

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()

    @property
    def signed(self) -> bool:
        return bool(self.signature and self.signing_certificate)

    def clean(self) -> None:
        self.signature = firmware_signing.normalise_signature(self.signature)
        self.signing_certificate = self.signing_certificate.strip()
        errors: dict[str, str] = {}
        if self.signature:
            errors["signature"] = firmware_signing.signature_problem(self.signature) or ""
        if self.signing_certificate:
            problem = firmware_signing.certificate_problem(self.signing_certificate)
            errors["signing_certificate"] = problem or ""
        if bool(self.signature) != bool(self.signing_certificate):
            missing = "signing_certificate" if self.signature else "signature"
            errors[missing] = firmware_signing.SIGNED_NEEDS_BOTH
        errors = {field: message for field, message in errors.items() if message}
        if errors:
            raise ValidationError(errors)


class StationJob(models.Model):
    """A firmware update or a diagnostics / log upload, with the status the station reports."""

    class Kind(models.TextChoices):
        FIRMWARE = "firmware", _("Firmware update")
        DIAGNOSTICS = "diagnostics", _("Diagnostics upload")
        LOG = "log", _("Log upload")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    request_id = models.IntegerField(null=True, blank=True)
    status = models.CharField(max_length=40, blank=True)
    # [{"status": ..., "at": iso8601}, ...] every notification the station sent.
    history = models.JSONField(default=list, blank=True)
    # The GetDiagnostics / GetLog / UpdateFirmware that started the job (none for a job the
    # station started itself).
    command = models.ForeignKey(
        Command, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    firmware = models.ForeignKey(
        FirmwareFile, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs"
    )
    # The name the station gave the file it uploads, and the file once uploaded.
    file_name = models.CharField(max_length=255, blank=True)
    file = models.FileField(upload_to="station-uploads/", blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["station", "kind", "-created_at"])]
        verbose_name = _("station job")
        verbose_name_plural = _("station jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.status}"


class SecurityEvent(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="security_events")
    type = models.CharField(max_length=50)
    tech_info = models.TextField(blank=True)
    timestamp = models.DateTimeField()
    # True for events the back office raised itself (e.g. a connection taken over).
    raised_by_backoffice = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-timestamp"]
        # The dashboard's newest security events across the network.
        indexes = [models.Index(fields=["-received_at"], name="security_event_recent")]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self) -> str:
        return self.type


class StationReport(models.Model):
    """A message a station sent about a feature whose own model comes with a later issue
    (charging limits and schedules, display messages, DER, settlements...): kept whole."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="reports")
    action = models.CharField(max_length=64)
    evse_id = models.PositiveIntegerField(null=True, blank=True)
    request_id = models.IntegerField(null=True, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["station", "action", "-received_at"])]
        verbose_name = _("station report")
        verbose_name_plural = _("station reports")

    def __str__(self) -> str:
        return self.action


class BatterySwapEvent(models.Model):
    """2.1 BatterySwap: batteries in or out, against the station and the id token."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="battery_swaps")
    event_type = models.CharField(max_length=30)
    request_id = models.IntegerField()
    id_tag = models.CharField(max_length=255)
    id_token = models.ForeignKey(
        "accounts.IdToken",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="battery_swaps",
    )
    battery_data = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("battery swap")
        verbose_name_plural = _("battery swaps")

    def __str__(self) -> str:
        return f"{self.event_type} {self.id_tag}"


class MessageLog(models.Model):
    """Every OCPP frame in and out, written in batches (see stations/ocpp/message_log.py).

    Keyed by the station id string, not a foreign key: frames of refused or unknown stations
    are logged too, and a batch never fails because a station was deleted.
    """

    class Direction(models.TextChoices):
        IN = "in", _("station → back office")
        OUT = "out", _("back office → station")

    station_identity = models.CharField(max_length=48)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    message_type = models.SmallIntegerField(null=True, blank=True)
    message_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=64, blank=True)
    # The frame as sent or received (also when it is not valid JSON).
    frame = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        # Uses: the per-station message log page and the retention purge.
        indexes = [
            models.Index(fields=["station_identity", "-created_at"]),
            models.Index(fields=["created_at"]),
        ]
        verbose_name = _("OCPP message")
        verbose_name_plural = _("OCPP message log")

    def __str__(self) -> str:
        return f"{self.direction} {self.action or self.message_type} {self.message_id}"
