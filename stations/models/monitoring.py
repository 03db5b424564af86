"""Monitoring reports the back office asked a 2.x station for (GetMonitoringReport)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .commands import Command
from .stations import Station


class MonitoringReportRequest(models.Model):
    """One GetMonitoringReport: the NotifyMonitoringReport pages with its request id answer it.

    The pages themselves are `DeviceModelReport` rows (action NotifyMonitoringReport) and the
    monitors they carry are `VariableMonitor` rows.
    """

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="monitoring_report_requests"
    )
    request_id = models.IntegerField()
    # monitoringCriteria and componentVariable, as sent; empty: every monitor.
    criteria = models.JSONField(default=dict, blank=True)
    command = models.ForeignKey(
        Command, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The station's answer: Accepted, Rejected, NotSupported, EmptyResultSet.
    status = models.CharField(max_length=20, blank=True)
    pages = models.PositiveIntegerField(default=0)
    # When the last page (and every page before it) arrived.
    completed_at = models.DateTimeField(null=True, blank=True)
    # Monitors the station no longer holds, removed after a complete unfiltered report.
    pruned_monitors = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "request_id"], name="monitoring_report_request_unique"
            )
        ]
        verbose_name = _("monitoring report request")
        verbose_name_plural = _("monitoring report requests")

    def __str__(self) -> str:
        return f"GetMonitoringReport #{self.request_id}"
