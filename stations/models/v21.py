"""What the back office set on OCPP 2.1 stations, kept where operators need it: DER controls,
default tariffs, and the periodic event streams stations opened.

Each row mirrors the station as far as the back office knows: written when the station
accepted a command (or reported), removed when it accepted a clear.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.lib.ocpp_time import parse_ocpp_datetime

from .commands import Command
from .stations import Station


class DerControl(models.Model):
    """A DER control (curve or setting) the station accepted in a SetDERControl."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="der_controls")
    control_id = models.CharField(max_length=36)
    control_type = models.CharField(max_length=32)
    # Default controls apply when no scheduled control of their type is active.
    is_default = models.BooleanField()
    # The setting as sent, camelCase: e.g. {"priority": 1, "pctMaxDischargePower": 50.0}.
    setting = models.JSONField()
    # A superseded control is never executed (R04.FR.09); the station says which, when.
    superseded = models.BooleanField(default=False)
    # Whether the station reported a scheduled control as started (NotifyDERStartStop).
    active = models.BooleanField(default=False)
    command = models.ForeignKey(
        Command, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["station", "control_type", "-is_default", "control_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "is_default", "control_id"], name="der_control_unique_id"
            )
        ]
        verbose_name = _("DER control")
        verbose_name_plural = _("DER controls")

    def __str__(self) -> str:
        return f"{self.control_type} {self.control_id}"

    @property
    def priority(self) -> int | None:
        return self.setting.get("priority")

    @property
    def ends_at(self) -> datetime | None:
        """When a scheduled control expires; the station deletes it then (R04.FR.10)."""
        start, duration = self.setting.get("startTime"), self.setting.get("duration")
        if start is None or duration is None:
            return None
        return parse_ocpp_datetime(start).value + timedelta(seconds=duration)


class DerControlReport(models.Model):
    """The DER controls a station reported for one GetDERControl (ReportDERControl pages)."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="der_control_reports"
    )
    request_id = models.IntegerField()
    # The GetDERControl that asked (none when the station reports a request id we never sent).
    command = models.ForeignKey(
        Command, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Every reported control, as the adapter hands it over (snake_case), with its kind added:
    # [{"kind": "limit_max_discharge", "id": ..., "is_default": ..., ...}, ...]
    controls = models.JSONField(default=list, blank=True)
    pages = models.PositiveIntegerField(default=0)
    # The last page came (tbc false).
    complete = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "request_id"], name="der_control_report_unique_request"
            )
        ]
        verbose_name = _("DER control report")
        verbose_name_plural = _("DER control reports")

    def __str__(self) -> str:
        return f"DER report {self.request_id}"


class DefaultTariff(models.Model):
    """A default tariff the station accepted (SetDefaultTariff), until it is cleared."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="default_tariffs")
    # 0: every EVSE of the station.
    evse_id = models.PositiveIntegerField()
    tariff_id = models.CharField(max_length=60)
    currency = models.CharField(max_length=3)
    # Null: valid at once; otherwise it replaces the tariff before it from then (I07.FR.19-23).
    valid_from = models.DateTimeField(null=True, blank=True)
    # The TariffType as sent, camelCase.
    tariff = models.JSONField()
    command = models.ForeignKey(
        Command, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["station", "evse_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "evse_id", "tariff_id"], name="default_tariff_unique_per_evse"
            )
        ]
        verbose_name = _("default tariff")
        verbose_name_plural = _("default tariffs")

    def __str__(self) -> str:
        return self.tariff_id


class PeriodicEventStream(models.Model):
    """A periodic event stream a station opened (OpenPeriodicEventStream), until it closes it."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="periodic_event_streams"
    )
    stream_id = models.PositiveIntegerField()
    variable_monitoring_id = models.PositiveIntegerField()
    # Flush after `interval` seconds or `values` values, whichever comes first.
    interval = models.PositiveIntegerField(null=True, blank=True)
    values = models.PositiveIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["station", "stream_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "stream_id"], name="event_stream_unique_per_station"
            )
        ]
        verbose_name = _("periodic event stream")
        verbose_name_plural = _("periodic event streams")

    def __str__(self) -> str:
        return f"stream {self.stream_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
