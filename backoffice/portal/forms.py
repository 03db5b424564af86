"""Forms of the driver's portal: they check the shape of the input, services the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backoffice.accounts.models import IdToken
from backoffice.accounts.services import driver_tokens, drivers
from backoffice.lib import units
from backoffice.portal.services import limits

_WH_PER_KWH = Decimal("1000")
# The bounds the limits service enforces, checked here too so the error sits at the field.
MAX_LIMIT_MINUTES = limits.MAX_MINUTES
MAX_LIMIT_KWH = limits.MAX_ENERGY_WH / _WH_PER_KWH

# What a driver can hold and add themselves; app (Central) tokens are made by the back office.
CARD_TYPES = [
    (value, label) for value, label in IdToken.Type.choices if value in driver_tokens.DRIVER_TYPES
]


class LimitsForm(forms.Form):
    """Stop at an energy amount or after a time; both optional (empty: no such limit)."""

    energy_kwh = forms.DecimalField(
        label=_("Stop after (kWh)"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=MAX_LIMIT_KWH,
        max_digits=7,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    minutes = forms.IntegerField(
        label=_("Stop after (minutes)"),
        required=False,
        min_value=1,
        max_value=MAX_LIMIT_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def limits(self) -> dict[str, Any]:
        """The limits in the services' units: energy in Wh, None where none is wanted."""
        kwh = self.cleaned_data.get("energy_kwh")
        return {
            "energy_wh": kwh * _WH_PER_KWH if kwh is not None else None,
            "minutes": self.cleaned_data.get("minutes"),
        }

    @classmethod
    def initial_from(cls, energy_wh: Decimal | None, minutes: int | None) -> dict[str, Any]:
        kwh = units.plain(energy_wh / _WH_PER_KWH) if energy_wh is not None else None
        return {"energy_kwh": kwh, "minutes": minutes}


class AddCardForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=CARD_TYPES, initial=IdToken.Type.ISO14443)
    id_token = forms.CharField(
        label=_("Card number"),
        max_length=255,
        help_text=_("As printed on the card or as the charger shows it."),
    )
    label = forms.CharField(
        label=_("Name"), max_length=100, required=False, help_text=_("For example: “Work car”.")
    )

    def clean_id_token(self) -> str:
        value: str = self.cleaned_data["id_token"].strip()
        if not value:
            raise forms.ValidationError(_("Enter the card number."))
        return value


class RenameTokenForm(forms.Form):
    label = forms.CharField(label=_("Name"), max_length=100, required=False)

    def clean_label(self) -> str:
        return str(self.cleaned_data["label"]).strip()


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = forms.RegexField(
        label=_("Phone"),
        max_length=32,
        required=False,
        regex=r"^\+?[0-9 ()./-]{4,31}$",
        error_messages={"invalid": _("Enter a phone number: digits, spaces and an optional +.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    notify_session_started = forms.BooleanField(label=_("Session started"), required=False)
    notify_charging_finished = forms.BooleanField(
        label=_("Charging finished (the car stopped drawing power)"), required=False
    )
    notify_soc_percent = forms.IntegerField(
        label=_("State of charge reached (%)"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("Empty: never. Only cars that report their state of charge."),
    )
    notify_session_ended = forms.BooleanField(
        label=_("Session ended, with its total"), required=False
    )
    notify_idle_minutes = forms.IntegerField(
        label=_("Plugged in without charging for (minutes)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text=_("Empty: never."),
    )
    email_notifications = forms.BooleanField(label=_("Also send them by email"), required=False)

    PREFERENCES = drivers.PROFILE_FIELDS

    def preferences(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.PREFERENCES}

    def clean_phone(self) -> str:
        return str(self.cleaned_data["phone"]).strip()
