"""Sites, charging stations, EVSEs and connectors, their status, and the registry of live
connections.

One domain for every OCPP version: 1.6 connector N is EVSE N / connector 1, 2.x EVSE N /
connector M is itself; 1.6 connector 0 is the station as a whole (its status lives on Station).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
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
    # A private site (a depot, a company car park) accepts only the tokens listed, or the cards
    # of a listed group token; 2.x answers NotAtThisLocation, 1.6 Invalid, to the others.
    accepts_all_tokens = models.BooleanField(_("accepts every valid token"), default=True)
    allowed_id_tokens = models.ManyToManyField(
        "accounts.IdToken",
        verbose_name=_("tokens accepted here"),
        blank=True,
        related_name="sites_allowed",
        help_text=_("Cards, or group tokens for all the cards of a fleet."),
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
        # Mutual TLS, terminated at the proxy (docs/deployment.md): the client certificate,
        # issued by the back office CA, names the station in its CN.
        TLS_CLIENT_CERT = 3, _("3: TLS with a client certificate")

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
        indexes = [
            models.Index(fields=["station", "-received_at"]),
            # The dashboard's newest faults across the network: a small index of faults only.
            models.Index(
                fields=["-received_at"],
                condition=Q(status="Faulted") | ~Q(error_code__in=["", "NoError"]),
                name="status_event_faults_recent",
            ),
        ]
        verbose_name = _("status event")
        verbose_name_plural = _("status history")

    def __str__(self) -> str:
        return f"{self.status} at {self.timestamp:%Y-%m-%d %H:%M:%S}"


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
