"""A driver's side of a charging session (limits, what they were told) and their notifications.

A `DriverSession` exists for every session charged with a token that belongs to a user: made
when the driver starts from the portal (before the station has started anything) or when a
session starts with one of their cards. It is where the session's limits live and which
notifications it already gave, so none is given twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DriverSession(models.Model):
    class LimitReason(models.TextChoices):
        ENERGY = "energy", _("energy limit reached")
        DURATION = "duration", _("time limit reached")
        COST = "cost", _("cost limit reached")

    class StartStatus(models.TextChoices):
        """How the session's start went: a portal start from REQUESTED on, or CARD."""

        REQUESTED = "requested", _("start requested")  # sent, no answer yet
        ACCEPTED = "accepted", _("accepted by the charger")
        REFUSED = "refused", _("refused by the charger")
        OFFLINE = "offline", _("charger offline")
        TIMEOUT = "timeout", _("no answer from the charger")
        ERROR = "error", _("the charger could not take the request")
        # Accepted, but no session began while a start could still be linked to it.
        NOT_STARTED = "not_started", _("accepted, but never started")
        CARD = "card", _("started at the charger")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("driver"),
        on_delete=models.CASCADE,
        related_name="driver_sessions",
    )
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    evse_id = models.PositiveIntegerField(_("EVSE id"), null=True, blank=True)
    connector_id = models.PositiveIntegerField(_("connector id"), null=True, blank=True)
    # The token value the session is (or will be) charged with.
    id_tag = models.CharField(_("id token"), max_length=255)
    # The remote start the portal sent; null for sessions started with a card at the charger.
    start_command = models.ForeignKey(
        "stations.Command", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A start that did not happen (refused, offline...) stays unlinked unless the station
    # starts it after all: then linking makes it ACCEPTED.
    start_status = models.CharField(
        _("start"), max_length=12, choices=StartStatus.choices, default=StartStatus.REQUESTED
    )
    # Null until the station starts the session (and forever if it never does).
    transaction = models.OneToOneField(
        "stations.Transaction",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="driver_session",
    )
    # Limits: stop at this energy, after this long, at this cost (cost once tariffs exist).
    limit_energy_wh = models.DecimalField(
        _("energy limit (Wh)"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"), null=True, blank=True)
    limit_cost = models.DecimalField(
        _("cost limit"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    # 2.1: the limits as last sent in a TransactionEventResponse's transactionLimit (the
    # station then stops by itself); null: the back office enforces them with a remote stop.
    limit_sent = models.JSONField(null=True, blank=True)
    limit_reached = models.CharField(max_length=12, choices=LimitReason.choices, blank=True)
    limit_reached_at = models.DateTimeField(null=True, blank=True)
    stop_command = models.ForeignKey(
        "stations.Command", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the car stopped drawing power (charging finished); cleared if it draws again.
    charging_finished_at = models.DateTimeField(null=True, blank=True)
    # Notification kinds already given for this session (each at most once).
    notified = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["station", "id_tag", "transaction"])]
        verbose_name = _("driver session")
        verbose_name_plural = _("driver sessions")

    def __str__(self) -> str:
        return f"{self.user} at {self.station_id}"

    @property
    def has_limit(self) -> bool:
        return any(
            v is not None for v in (self.limit_energy_wh, self.limit_minutes, self.limit_cost)
        )


class Notification(models.Model):
    class Kind(models.TextChoices):
        SESSION_STARTED = "session_started", _("session started")
        CHARGING_FINISHED = "charging_finished", _("charging finished")
        SOC_REACHED = "soc_reached", _("state of charge reached")
        SESSION_ENDED = "session_ended", _("session ended")
        IDLE = "idle", _("idle after charging")
        LIMIT_REACHED = "limit_reached", _("limit reached")
        START_FAILED = "start_failed", _("start failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("driver"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    driver_session = models.ForeignKey(
        DriverSession, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title
