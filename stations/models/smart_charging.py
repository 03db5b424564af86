"""Charging profiles: what the back office installed on a station, and what stations reported.

One row per profile per station and EVSE (EVSE 0 is the whole station; a 1.6 connector N is
EVSE N). Rows the back office set follow the station's answers: installed when the station
accepted the SetChargingProfile, replaced when a later profile took its place, cleared when a
matching ClearChargingProfile was accepted. Rows a station reported (2.x ReportChargingProfiles)
are a snapshot tied to the GetChargingProfiles command that asked for them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .commands import Command
from .stations import Station


class ChargingProfile(models.Model):
    class Origin(models.TextChoices):
        SET = "set", _("set by the back office")
        REPORTED = "reported", _("reported by the station")

    class State(models.TextChoices):
        INSTALLED = "installed", _("installed")
        REPLACED = "replaced", _("replaced")
        CLEARED = "cleared", _("cleared")
        REPORTED = "reported", _("reported")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="charging_profiles")
    evse_id = models.PositiveIntegerField(_("EVSE id"), help_text=_("0: the whole station."))
    profile_id = models.IntegerField(_("profile id"))
    stack_level = models.IntegerField(_("stack level"))
    # 2.x names (ChargingStationMaxProfile for 1.6 ChargePointMaxProfile).
    purpose = models.CharField(_("purpose"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16)
    recurrency_kind = models.CharField(_("recurrency"), max_length=8, blank=True)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    transaction_id = models.CharField(_("transaction id"), max_length=36, blank=True)
    # 2.x chargingLimitSource of a reported profile (CSO: set by a back office).
    limit_source = models.CharField(_("limit source"), max_length=20, blank=True)
    # The profile as the station's version writes it (camelCase), as sent or as reported.
    payload = models.JSONField(_("profile"))
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    # The SetChargingProfile that installed it, or the GetChargingProfiles that reported it.
    command = models.ForeignKey(
        Command, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clear_command = models.ForeignKey(
        Command, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["station", "evse_id", "-stack_level", "profile_id"]
        indexes = [
            # Uses: the installed profiles of a station (operator page, replace and clear).
            models.Index(fields=["station", "state"], name="charging_profile_state"),
        ]
        verbose_name = _("charging profile")
        verbose_name_plural = _("charging profiles")

    def __str__(self) -> str:
        return f"{self.purpose} #{self.profile_id} on EVSE {self.evse_id} ({self.state})"
