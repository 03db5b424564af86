"""Device-model reports the back office asked a 2.x station for (GetBaseReport, GetReport)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .commands import Command
from .stations import Station


class DeviceReportRequest(models.Model):
    """One GetBaseReport / GetReport: the NotifyReport pages with its request id answer it."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="device_report_requests"
    )
    request_id = models.IntegerField()
    # FullInventory, ConfigurationInventory, SummaryInventory; empty for a GetReport.
    report_base = models.CharField(max_length=30, blank=True)
    # GetReport's componentCriteria and componentVariable, as sent.
    criteria = models.JSONField(default=dict, blank=True)
    command = models.ForeignKey(
        Command, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The station's answer: Accepted, Rejected, NotSupported, EmptyResultSet.
    status = models.CharField(max_length=20, blank=True)
    pages = models.PositiveIntegerField(default=0)
    # When the last page (and every page before it) arrived.
    completed_at = models.DateTimeField(null=True, blank=True)
    # Variables the station no longer reports, removed after a complete FullInventory.
    pruned_variables = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "request_id"], name="device_report_request_unique"
            )
        ]
        verbose_name = _("device report request")
        verbose_name_plural = _("device report requests")

    def __str__(self) -> str:
        return f"{self.report_base or 'GetReport'} #{self.request_id}"
