"""A reservation: a station holds an EVSE (or any of its EVSEs) for one id token until expiry.

Its status follows the station: requested until the ReserveNow is answered, then the answer
(accepted, or rejected / faulted / occupied / unavailable); an accepted reservation ends
cancelled (CancelReservation accepted), used (a transaction started with it), expired (past
its expiry, or the station said so), removed (the station dropped it) or, in 2.1,
no_transaction (used to authorize, but no transaction followed).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.accounts.models import IdToken
from stations.models import Command, Station, Transaction


class Reservation(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected by the station")
        FAULTED = "faulted", _("refused: EVSE faulted")
        OCCUPIED = "occupied", _("refused: EVSE occupied")
        UNAVAILABLE = "unavailable", _("refused: EVSE unavailable")
        # Never reached the station: it was offline or answered with a CALLERROR.
        FAILED = "failed", _("not delivered")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("expired")
        USED = "used", _("used")
        REMOVED = "removed", _("removed by the station")
        NO_TRANSACTION = "no_transaction", _("used without a transaction")

    # Still holding (or, while requested, maybe holding) an EVSE at the station.
    ACTIVE = frozenset({Status.REQUESTED, Status.ACCEPTED})

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="reservations"
    )
    # Null: any EVSE of the station (1.6 connector 0).
    evse_id = models.PositiveIntegerField(_("EVSE id"), null=True, blank=True)
    # 2.x: reserve a connector type rather than an EVSE (e.g. cCCS2, cType2).
    connector_type = models.CharField(_("connector type"), max_length=20, blank=True)
    id_token = models.ForeignKey(
        IdToken,
        verbose_name=_("id token"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reservations",
    )
    # The token as sent to the station (kept when the IdToken row goes).
    id_tag = models.CharField(_("id token value"), max_length=255)
    group_id_tag = models.CharField(_("group id token"), max_length=255, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    # The id the station knows it by: 32-bit, unique in this installation, drawn at random.
    reservation_id = models.IntegerField(_("reservation id"), unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    command = models.ForeignKey(
        Command,
        verbose_name=_("ReserveNow command"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_command = models.ForeignKey(
        Command,
        verbose_name=_("CancelReservation command"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    transaction = models.ForeignKey(
        Transaction,
        verbose_name=_("transaction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reservations",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Uses: the expiry sweep (active and past expiry) and a station's open reservations.
            models.Index(fields=["status", "expires_at"], name="reservation_status_expiry"),
            models.Index(fields=["station", "-created_at"], name="reservation_station"),
        ]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")

    def __str__(self) -> str:
        return f"Reservation {self.reservation_id} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE
