"""Forms of the id token pages: they check the shape of the input, services the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .exceptions import IdTokenInvalid
from .models import IdToken
from .services import driver_tokens

NO_SUCH_USER = _("No user has this username.")
_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _expiry_field(help_text: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME_LOCAL),
    )


class IdTokenForm(forms.Form):
    id_token = forms.CharField(
        label=_("Token value"),
        max_length=255,
        help_text=_("As the charger sends it (1.6 allows at most 20 characters)."),
    )
    type = forms.ChoiceField(label=_("Type"), choices=IdToken.Type.choices)
    label = forms.CharField(label=_("Label"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=IdToken.Status.choices, initial=IdToken.Status.ACCEPTED
    )
    expires_at = _expiry_field(_("Empty: never expires."))
    group_id_token = forms.CharField(
        label=_("Group id token"),
        max_length=255,
        required=False,
        help_text=_("A fleet's cards share one group token; blocking the group blocks them."),
    )
    owner = forms.CharField(
        label=_("Owner (username)"),
        max_length=150,
        required=False,
        help_text=_("The driver who sees this token's sessions in the portal."),
    )

    def clean_id_token(self) -> str:
        return self.cleaned_data["id_token"].strip()

    def clean_group_id_token(self) -> str:
        return self.cleaned_data["group_id_token"].strip()

    def clean_owner(self) -> Any:
        username = self.cleaned_data["owner"].strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(NO_SUCH_USER)
        return user


class IdTokenExpiryForm(forms.Form):
    expires_at = _expiry_field(_("Empty: never expires."))


class IdTokenFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=255)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *IdToken.Status.choices]
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type")), *IdToken.Type.choices]
    )
    awaiting = forms.BooleanField(label=_("Awaiting approval"), required=False)


# --- drivers ---------------------------------------------------------------------------------

CARD_VALUE_HELP = _(
    "As printed on the card or shown by the charger, without spaces. Chargers speaking OCPP 1.6 "
    "accept at most 20 characters."
)


class DriverCardForm(forms.Form):
    """A card a driver adds (portal) or an operator issues to a driver: the kinds drivers
    hold; the value's rules are driver_tokens.check_value's, shown next to the field."""

    id_token = forms.CharField(label=_("Card number"), max_length=255, help_text=CARD_VALUE_HELP)
    type = forms.ChoiceField(
        label=_("Type"),
        choices=[(kind, IdToken.Type(kind).label) for kind in driver_tokens.DRIVER_TYPES],
        initial=IdToken.Type.ISO14443,
    )
    label = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("Your name for it, e.g. “Work card”."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "id_token" in data and "type" in data:
            data["id_token"] = data["id_token"].strip()
            try:
                driver_tokens.check_value(data["id_token"], type=data["type"])
            except IdTokenInvalid as error:
                self.add_error(error.field, error.message)
        return data


class IssueTokenForm(DriverCardForm):
    label = forms.CharField(label=_("Label"), max_length=100, required=False)
    expires_at = _expiry_field(_("Empty: never expires."))


class DriverCreateForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("The driver gets an email there to set their password."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)


class DriverFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=255,
        help_text=_("Email, name or username."),
    )
