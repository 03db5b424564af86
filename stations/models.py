"""Sites, charging stations and what they report: status, transactions, meter values, jobs,
security events, the raw message log and the registry of live connections.

One domain for every OCPP version: 1.6 connector N is EVSE N / connector 1, 2.x EVSE N /
connector M is itself; 1.6 connector 0 is the station as a whole (its status lives on Station).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Site(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    grid_limit_kw = models.DecimalField(
        _("grid limit (kW)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    class Registration(models.TextChoices):
        ACCEPTED = "Accepted", _("Accepted")
        PENDING = "Pending", _("Pending")
        REJECTED = "Rejected", _("Rejected")

    class SecurityProfile(models.IntegerChoices):
        NONE = 0, _("0: no authentication (trusted networks only)")
        BASIC = 1, _("1: HTTP Basic authentication")
        TLS_BASIC = 2, _("2: TLS with HTTP Basic authentication")

    # OCPP: at most 48 characters, no ":" (it is the Basic-auth username).
    identity = models.CharField(_("station id"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stations",
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive stations are refused at the upgrade.")
    )
    registration_status = models.CharField(
        _("registration status"),
        max_length=16,
        choices=Registration.choices,
        default=Registration.ACCEPTED,
    )
    auto_registered = models.BooleanField(
        _("registered by itself"),
        default=False,
        help_text=_(
            "Created when an unknown station connected while unknown stations were allowed."
        ),
    )
    security_profile = models.PositiveSmallIntegerField(
        _("security profile"), choices=SecurityProfile.choices, default=SecurityProfile.BASIC
    )
    # "sha256$<salt>$<hex>": station passwords are random high-entropy secrets, so a salted
    # SHA-256 is safe and costs microseconds in a reconnect storm (DESIGN §4).
    password_hash = models.CharField(_("password hash"), max_length=128, blank=True)

    ocpp_version = models.CharField(_("OCPP version"), max_length=8, blank=True)
    vendor = models.CharField(_("vendor"), max_length=50, blank=True)
    model = models.CharField(_("model"), max_length=50, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=50, blank=True)
    charge_box_serial_number = models.CharField(_("charge box serial"), max_length=50, blank=True)
    firmware_version = models.CharField(_("firmware version"), max_length=50, blank=True)
    iccid = models.CharField(_("ICCID"), max_length=20, blank=True)
    imsi = models.CharField(_("IMSI"), max_length=20, blank=True)
    meter_type = models.CharField(_("meter type"), max_length=25, blank=True)
    meter_serial_number = models.CharField(_("meter serial number"), max_length=25, blank=True)

    # Status of the station as a whole (OCPP 1.6 connector 0).
    status = models.CharField(_("status"), max_length=20, blank=True)
    error_code = models.CharField(_("error code"), max_length=30, blank=True)
    status_at = models.DateTimeField(_("status time"), null=True, blank=True)

    last_boot_at = models.DateTimeField(_("last boot"), null=True, blank=True)
    last_boot_reason = models.CharField(_("last boot reason"), max_length=30, blank=True)
    # Written in batches by the connection registry, never once per heartbeat.
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["identity"]
        verbose_name = _("charging station")
        verbose_name_plural = _("charging stations")

    def __str__(self) -> str:
        return self.name or self.identity


class Evse(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="evses")
    evse_id = models.PositiveIntegerField(_("EVSE id"))

    class Meta:
        ordering = ["station", "evse_id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "evse_id"], name="evse_unique_per_station")
        ]
        verbose_name = _("EVSE")
        verbose_name_plural = _("EVSEs")

    def __str__(self) -> str:
        return f"{self.station.identity} EVSE {self.evse_id}"


class Connector(models.Model):
    evse = models.ForeignKey(Evse, on_delete=models.CASCADE, related_name="connectors")
    connector_id = models.PositiveIntegerField(_("connector id"))
    status = models.CharField(_("status"), max_length=20, blank=True)
    error_code = models.CharField(_("error code"), max_length=30, blank=True)
    info = models.CharField(_("info"), max_length=50, blank=True)
    vendor_id = models.CharField(_("vendor id"), max_length=255, blank=True)
    vendor_error_code = models.CharField(_("vendor error code"), max_length=50, blank=True)
    # The charger's own time of the status applied; an older notification never overwrites it.
    status_at = models.DateTimeField(_("status time"), null=True, blank=True)

    class Meta:
        ordering = ["evse", "connector_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evse", "connector_id"], name="connector_unique_per_evse"
            )
        ]
        verbose_name = _("connector")
        verbose_name_plural = _("connectors")

    def __str__(self) -> str:
        return f"{self.evse} connector {self.connector_id}"


class StatusEvent(models.Model):
    """Every status notification a station sent, in arrival order (the history)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="status_events")
    evse_id = models.PositiveIntegerField(null=True, blank=True)
    connector_id = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20)
    error_code = models.CharField(max_length=30, blank=True)
    info = models.CharField(max_length=50, blank=True)
    vendor_id = models.CharField(max_length=255, blank=True)
    vendor_error_code = models.CharField(max_length=50, blank=True)
    timestamp = models.DateTimeField(_("charger time"))
    received_at = models.DateTimeField(auto_now_add=True)
    # False when a newer status had already been applied (a late, replayed notification).
    applied = models.BooleanField(default=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["station", "-received_at"])]
        verbose_name = _("status event")
        verbose_name_plural = _("status history")

    def __str__(self) -> str:
        return f"{self.status} at {self.timestamp:%Y-%m-%d %H:%M:%S}"


class Transaction(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="transactions")
    evse = models.ForeignKey(
        Evse, null=True, blank=True, on_delete=models.SET_NULL, related_name="transactions"
    )
    connector = models.ForeignKey(
        Connector, null=True, blank=True, on_delete=models.SET_NULL, related_name="transactions"
    )
    # 1.6: an integer the back office assigns; 2.x: the station's own string id.
    transaction_id = models.CharField(_("transaction id"), max_length=36)
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    id_tag = models.CharField(_("id token"), max_length=255, blank=True)
    id_token = models.ForeignKey(
        "accounts.IdToken",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transactions",
    )
    auth_status = models.CharField(_("authorization at start"), max_length=16, blank=True)
    reservation_id = models.IntegerField(null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    meter_start_wh = models.DecimalField(max_digits=18, decimal_places=3, null=True, blank=True)
    meter_stop_wh = models.DecimalField(max_digits=18, decimal_places=3, null=True, blank=True)
    # V2X: the export (discharge) register at the first and last reading of the session.
    export_start_wh = models.DecimalField(max_digits=18, decimal_places=3, null=True, blank=True)
    export_stop_wh = models.DecimalField(max_digits=18, decimal_places=3, null=True, blank=True)
    # Time of the newest register reading applied above (out-of-order events apply older ones
    # only to the start values).
    meter_read_at = models.DateTimeField(null=True, blank=True)
    # 2.x: Charging, EVConnected, SuspendedEV, SuspendedEVSE, Idle, as of the newest event.
    charging_state = models.CharField(max_length=20, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    remote_start_id = models.IntegerField(null=True, blank=True)
    stop_id_tag = models.CharField(max_length=255, blank=True)
    stop_reason = models.CharField(max_length=32, blank=True)
    # Hash of the 1.6 StartTransaction business key: a replayed start finds its transaction.
    start_key = models.CharField(max_length=64, blank=True, db_index=True)
    # Oddities operators should see (stop without start, naive timestamps, meter after stop...).
    anomalies = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "transaction_id"], name="transaction_id_unique_per_station"
            )
        ]
        # Uses: the active-session lookups of authorization (ConcurrentTx) and the pages.
        indexes = [
            models.Index(fields=["station", "state"]),
            models.Index(fields=["id_tag", "state"]),
        ]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")

    def __str__(self) -> str:
        return f"{self.station.identity} #{self.transaction_id}"

    @property
    def energy_wh(self) -> Decimal | None:
        """Energy delivered to the vehicle (import register)."""
        if self.meter_start_wh is None or self.meter_stop_wh is None:
            return None
        return self.meter_stop_wh - self.meter_start_wh

    @property
    def energy_export_wh(self) -> Decimal | None:
        """Energy the vehicle gave back (V2X discharge, export register)."""
        if self.export_start_wh is None or self.export_stop_wh is None:
            return None
        return self.export_stop_wh - self.export_start_wh


class TransactionEvent(models.Model):
    """Every 2.x TransactionEvent, once: (transaction, seqNo) is the business key of a replay."""

    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="events")
    # Signed: the 2.0.1 schema does not bound seqNo, and odd values are kept, not refused.
    seq_no = models.IntegerField()
    event_type = models.CharField(max_length=10)
    trigger_reason = models.CharField(max_length=40)
    timestamp = models.DateTimeField()
    offline = models.BooleanField(default=False)
    charging_state = models.CharField(max_length=20, blank=True)
    id_token = models.CharField(max_length=255, blank=True)
    # The whole request as received (snake_case), for what the columns do not hold.
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["transaction", "seq_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "seq_no"], name="transaction_event_seq_unique"
            )
        ]
        verbose_name = _("transaction event")
        verbose_name_plural = _("transaction events")

    def __str__(self) -> str:
        return f"{self.event_type} #{self.seq_no}"


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


class MeterValue(models.Model):
    """One meterValue element: a timestamp and all its sampled values (JSON).

    One row per element rather than per sampled value keeps inserts at one statement per
    frame; `dedup_key` makes a replayed frame a no-op (unique per station).
    """

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="meter_values")
    transaction = models.ForeignKey(
        Transaction, null=True, blank=True, on_delete=models.CASCADE, related_name="meter_values"
    )
    evse_id = models.PositiveIntegerField()
    connector_id = models.PositiveIntegerField(null=True, blank=True)
    timestamp = models.DateTimeField()
    # [{"value", "measurand", "phase", "location", "unit", "context", "format"}, ...]
    sampled_values = models.JSONField()
    dedup_key = models.CharField(max_length=64)
    # Arrived after the transaction had ended (kept, and flagged for operators).
    after_stop = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["timestamp"]
        constraints = [
            models.UniqueConstraint(fields=["station", "dedup_key"], name="meter_value_dedup")
        ]
        indexes = [models.Index(fields=["transaction", "timestamp"])]
        verbose_name = _("meter value")
        verbose_name_plural = _("meter values")

    def __str__(self) -> str:
        return f"{self.station_id} {self.timestamp:%Y-%m-%d %H:%M:%S}"


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
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self) -> str:
        return self.type


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


class Worker(models.Model):
    """A server process holding station sockets; it beats so its entries can expire."""

    name = models.CharField(max_length=100, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class StationConnection(models.Model):
    """The shared registry: which process (channel) holds a station's socket right now."""

    station = models.OneToOneField(Station, on_delete=models.CASCADE, related_name="connection")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="connections")
    channel_name = models.CharField(max_length=200)
    ocpp_version = models.CharField(max_length=8)
    remote_addr = models.CharField(max_length=64, blank=True)
    connected_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.station.identity} @ {self.worker.name}"


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
