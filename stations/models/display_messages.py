"""Messages a 2.x station shows on its displays (functional block O)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .commands import Command
from .stations import Station


class DisplayMessage(models.Model):
    """One display message of a station, by the station's message id.

    `status` says where the row's content comes from: a SetDisplayMessage the station
    accepted, the station's own NotifyDisplayMessages report, or a clear (ours, or the
    station no longer holding it in a full report).
    """

    class Status(models.TextChoices):
        SET = "set", _("set, accepted by the station")
        REPORTED = "reported", _("reported by the station")
        CLEARED = "cleared", _("cleared")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="display_messages")
    message_id = models.PositiveIntegerField()
    # AlwaysFront, InFront, NormalCycle
    priority = models.CharField(max_length=20)
    # The station state the message is shown in (Charging, Faulted...); empty: always.
    state = models.CharField(max_length=20, blank=True)
    start_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)
    transaction_id = models.CharField(max_length=36, blank=True)
    # ASCII, HTML, URI, UTF8, QRCODE (2.1)
    format = models.CharField(max_length=10)
    language = models.CharField(max_length=8, blank=True)
    content = models.TextField()
    # 2.1 messageExtra: [{"format", "language", "content"}, ...]
    extra = models.JSONField(default=list, blank=True)
    # The display it is meant for: {"component", "component_instance", "evse_id",
    # "connector_id"}; empty: any.
    display = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    # The SetDisplayMessage that set it, when we did.
    command = models.ForeignKey(
        Command, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["station", "message_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "message_id"], name="display_message_unique_per_station"
            )
        ]
        verbose_name = _("display message")
        verbose_name_plural = _("display messages")

    def __str__(self) -> str:
        return f"#{self.message_id} {self.content[:40]}"
