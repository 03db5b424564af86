"""The 2.x device model (and 1.6 configuration keys, as component OCPP16)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .stations import Station


class Component(models.Model):
    """Device model (2.x) component; 1.6 configuration keys live under component "OCPP16".

    Empty instance and 0 for EVSE / connector mean "none", so the unique key works on every
    database (NULLs never collide).
    """

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(max_length=50)
    instance = models.CharField(max_length=50, blank=True)
    evse_id = models.PositiveIntegerField(default=0)
    connector_id = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["station", "name", "instance", "evse_id", "connector_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "name", "instance", "evse_id", "connector_id"],
                name="component_unique_per_station",
            )
        ]
        verbose_name = _("component")
        verbose_name_plural = _("components")

    def __str__(self) -> str:
        return f"{self.name}[{self.instance}]" if self.instance else self.name


class Variable(models.Model):
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="variables")
    name = models.CharField(max_length=50)
    instance = models.CharField(max_length=50, blank=True)
    # variableCharacteristics (2.x) or what 1.6 GetConfiguration tells (readonly -> mutability)
    unit = models.CharField(max_length=16, blank=True)
    data_type = models.CharField(max_length=20, blank=True)
    min_limit = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    max_limit = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    values_list = models.TextField(blank=True)
    supports_monitoring = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["component", "name", "instance"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "name", "instance"], name="variable_unique_per_component"
            )
        ]
        verbose_name = _("variable")
        verbose_name_plural = _("variables")

    def __str__(self) -> str:
        return f"{self.name}[{self.instance}]" if self.instance else self.name


class VariableAttribute(models.Model):
    variable = models.ForeignKey(Variable, on_delete=models.CASCADE, related_name="attributes")
    # Actual, Target, MinSet, MaxSet
    type = models.CharField(max_length=10, default="Actual")
    value = models.TextField(blank=True)
    # ReadOnly, WriteOnly, ReadWrite
    mutability = models.CharField(max_length=10, blank=True)
    persistent = models.BooleanField(null=True, blank=True)
    constant = models.BooleanField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["variable", "type"]
        constraints = [
            models.UniqueConstraint(fields=["variable", "type"], name="attribute_unique_per_type")
        ]
        verbose_name = _("variable attribute")
        verbose_name_plural = _("variable attributes")

    def __str__(self) -> str:
        return f"{self.type}={self.value}"


class VariableMonitor(models.Model):
    """A monitor a station reports (NotifyMonitoringReport)."""

    variable = models.ForeignKey(Variable, on_delete=models.CASCADE, related_name="monitors")
    monitor_id = models.IntegerField()
    transaction = models.BooleanField(default=False)
    value = models.DecimalField(max_digits=20, decimal_places=6)
    type = models.CharField(max_length=30)
    severity = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variable", "monitor_id"], name="monitor_unique")
        ]
        verbose_name = _("variable monitor")
        verbose_name_plural = _("variable monitors")

    def __str__(self) -> str:
        return f"{self.type} #{self.monitor_id}"


class DeviceModelReport(models.Model):
    """One page of a paged report (NotifyReport / NotifyMonitoringReport): seqNo and tbc."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="device_reports")
    action = models.CharField(max_length=30)
    request_id = models.IntegerField()
    seq_no = models.PositiveIntegerField()
    tbc = models.BooleanField(default=False)
    generated_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["station", "request_id", "seq_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "action", "request_id", "seq_no"], name="report_page_unique"
            )
        ]
        verbose_name = _("device model report page")
        verbose_name_plural = _("device model report pages")

    def __str__(self) -> str:
        return f"{self.action} {self.request_id}/{self.seq_no}"


class DeviceEvent(models.Model):
    """NotifyEvent: an event or alert on a component variable."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="device_events")
    event_id = models.IntegerField()
    timestamp = models.DateTimeField()
    trigger = models.CharField(max_length=20)
    event_notification_type = models.CharField(max_length=30)
    component = models.JSONField()
    variable = models.JSONField()
    actual_value = models.CharField(max_length=2500)
    cause = models.IntegerField(null=True, blank=True)
    tech_code = models.CharField(max_length=50, blank=True)
    tech_info = models.CharField(max_length=500, blank=True)
    cleared = models.BooleanField(null=True, blank=True)
    transaction_id = models.CharField(max_length=36, blank=True)
    variable_monitoring_id = models.IntegerField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-timestamp"]
        indexes = [models.Index(fields=["station", "-timestamp"])]
        verbose_name = _("device event")
        verbose_name_plural = _("device events")

    def __str__(self) -> str:
        return f"{self.trigger} {self.actual_value}"
