"""Commands the back office sends to stations, with their outcome: the bus's record of truth."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .stations import Station


class Command(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        ANSWERED = "answered", _("answered")
        CALL_ERROR = "call_error", _("CALLERROR")
        TIMED_OUT = "timed_out", _("timed out")
        OFFLINE = "offline", _("station offline")
        # Not sent: the station's server process could not be reached (`error_description`).
        FAILED = "failed", _("failed")

    FINAL = frozenset(
        {State.ANSWERED, State.CALL_ERROR, State.TIMED_OUT, State.OFFLINE, State.FAILED}
    )

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="commands")
    action = models.CharField(max_length=64)
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    message_id = models.CharField(max_length=36, blank=True)
    response = models.JSONField(null=True, blank=True)
    # The `status` of the answer (Accepted, Rejected...), when it has one.
    result_status = models.CharField(max_length=40, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_description = models.CharField(max_length=255, blank=True)
    # Who asked: a user, or a named API client / task when no user did.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="station_commands",
    )
    actor_label = models.CharField(max_length=100, blank=True)
    # The caller's own response timeout; null means OCPP_RESPONSE_TIMEOUT.
    timeout_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["station", "-created_at"])]
        verbose_name = _("command")
        verbose_name_plural = _("commands")

    def __str__(self) -> str:
        return f"{self.action} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in self.FINAL
