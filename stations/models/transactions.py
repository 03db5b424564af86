"""Charging sessions of every OCPP version, their 2.x events and their meter values."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from .stations import Connector, Evse, Station


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
    # 2.x statuses run to 18 characters (NotAllowedTypeEVSE); 32 leaves room for 2.1 ones.
    auth_status = models.CharField(_("authorization at start"), max_length=32, blank=True)
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
    # The RequestStartTransaction (2.x) this session answers, found by its remoteStartId.
    remote_start_command = models.ForeignKey(
        "stations.Command",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="started_transactions",
    )
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
            # The session list's index (newest first, NULLS LAST) is made by migration 0016 on
            # PostgreSQL only: SQLite takes no NULLS LAST in an index, and Django would re-make
            # it with every later change to this table there.
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


class MeterValueQuerySet(models.QuerySet["MeterValue"]):
    def holding(self, measurand: str) -> MeterValueQuerySet:
        """Elements with a sampled value of `measurand`. PostgreSQL matches the JSON (jsonb
        containment); SQLite, the embedded quick start, has no JSON containment and matches
        the stored text, which Django writes with json.dumps' separators."""
        if connection.vendor == "postgresql":
            return self.filter(sampled_values__contains=[{"measurand": measurand}])
        return self.filter(sampled_values__icontains=f'"measurand": "{measurand}"')


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

    objects = MeterValueQuerySet.as_manager()

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
