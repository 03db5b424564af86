"""The smart charging forms: set and clear charging limits, the composite schedule."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.forms.commands.base import SMART_CHARGING, CommandForm
from stations.services.smart_charging import charging_profiles
from stations.services.smart_charging.charging_profiles import Profile, Schedule, SchedulePeriod

# --- smart charging --------------------------------------------------------------------------

_BASIC = (charging_profiles.STATION_MAX, charging_profiles.TX_DEFAULT, charging_profiles.TX)
_PURPOSE_LABELS = {
    charging_profiles.STATION_MAX: _("Station maximum"),
    charging_profiles.TX_DEFAULT: _("Default for sessions"),
    charging_profiles.TX: _("The running session"),
    "PriorityCharging": _("Priority charging"),
    "LocalGeneration": _("Local generation"),
}


class SetChargingProfileForm(CommandForm):
    name, title, group = "set-charging-profile", _("Set charging limit"), SMART_CHARGING
    submit_label = _("Set limit")
    request_fields: ClassVar[dict[str, str]] = {"profile": "limit"}

    def setup(self) -> None:
        self.evse_field("evse_id", required=True, zero=_("The whole station"))
        purposes = [
            p for p in charging_profiles.PURPOSES if self.traits.v21_features or p in _BASIC
        ]
        self.fields["purpose"] = forms.ChoiceField(
            label=_("Purpose"),
            choices=[(p, _PURPOSE_LABELS.get(p, p)) for p in purposes],
            initial=charging_profiles.TX_DEFAULT,
        )
        self.fields["limit"] = forms.DecimalField(
            label=_("Limit"),
            min_value=Decimal(0),
            max_digits=12,
            decimal_places=self.traits.limit_decimal_places,
        )
        self.fields["rate_unit"] = forms.ChoiceField(
            label=_("Unit"), choices=[("A", _("A (amperes)")), ("W", _("W (watts)"))]
        )
        self.fields["minutes"] = forms.IntegerField(
            label=_("For (minutes)"),
            min_value=1,
            required=False,
            help_text=_("Empty: until changed or cleared."),
        )
        self.fields["stack_level"] = forms.IntegerField(
            label=_("Stack level"), min_value=0, initial=0
        )

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        minutes = data["minutes"]
        schedule = Schedule(
            rate_unit=data["rate_unit"],
            periods=(SchedulePeriod(start=0, limit=data["limit"]),),
            start=timezone.now(),
            duration=minutes * 60 if minutes else None,
        )
        profile = Profile(
            id=self.options.next_profile_id,
            stack_level=data["stack_level"],
            purpose=data["purpose"],
            kind="Absolute",
            schedules=(schedule,),
        )
        return {"evse_id": data["evse_id"], "profile": profile}

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        if outcome.profile is None:
            return []
        return [(_("Profile id"), outcome.profile.profile_id)]


class ClearChargingProfileForm(CommandForm):
    name, title, group = "clear-charging-profile", _("Clear charging limits"), SMART_CHARGING
    submit_label = _("Clear")

    def setup(self) -> None:
        self.fields["profile_id"] = forms.TypedChoiceField(
            label=_("Profile"),
            coerce=int,
            empty_value=None,
            required=False,
            choices=[("", _("Every profile matching the criteria below"))]
            + [
                (
                    p.profile_id,
                    _("%(id)s: %(purpose)s on EVSE %(evse)s")
                    % {"id": p.profile_id, "purpose": p.purpose, "evse": p.evse_id},
                )
                for p in self.options.installed_profiles
            ],
        )
        self.evse_field("evse_id", required=False, blank=_("Any"), zero=_("The whole station"))
        self.fields["purpose"] = forms.ChoiceField(
            label=_("Purpose"),
            required=False,
            choices=[("", _("Any"))] + [(p, _PURPOSE_LABELS.get(p, p)) for p in _BASIC],
        )


class GetCompositeScheduleForm(CommandForm):
    name, title, group = "get-composite-schedule", _("Composite schedule"), SMART_CHARGING
    submit_label = _("Ask")

    def setup(self) -> None:
        self.evse_field("evse_id", required=True, zero=_("The whole station"))
        self.fields["minutes"] = forms.IntegerField(
            label=_("For the next (minutes)"), min_value=1, max_value=7 * 24 * 60, initial=60
        )
        self.fields["rate_unit"] = forms.ChoiceField(
            label=_("Unit"),
            required=False,
            choices=[("", _("The station's choice")), ("A", _("A")), ("W", _("W"))],
        )

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "evse_id": data["evse_id"],
            "duration": data["minutes"] * 60,
            "rate_unit": data["rate_unit"] or None,
        }

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        schedule = outcome.schedule
        if schedule is None:
            return []
        return [
            (
                _("From %(start)s s") % {"start": period.start},
                f"{charging_profiles.number(period.limit)} {schedule.rate_unit}",
            )
            for period in schedule.periods
        ]
