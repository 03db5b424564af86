"""Registering a charging station by hand."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from backoffice.accounts import roles
from stations import selectors
from stations.models import Site, Station
from stations.services.inventory.registration import STATION_ID_TAKEN

# OCPP 2.x identifierString (case-insensitive, so "cp-1" and "CP-1" are one id), less ":"
# (the Basic-auth separator): a-z A-Z 0-9 * - _ = + | @ .
STATION_ID_PATTERN = re.compile(r"^[A-Za-z0-9*\-_=+|@.]+$")
STATION_ID_CHARACTERS = _("Use only letters, digits and * - _ = + | @ . (no spaces, ':' or '/').")
# Paths of the operator pages under /stations/ that a station's own page could not have.
RESERVED_STATION_IDS = frozenset({"register"})
STATION_ID_RESERVED = _("This id names a page of the back office; choose another.")
SITE_REQUIRED = _("Choose one of your sites: you would not see a station without one.")
PROFILE_0_WARNING = _(
    "Profile 0 lets anyone who knows the station id connect as this station: "
    "use it only on a closed, trusted network."
)


class StationRegistrationForm(forms.Form):
    identity = forms.CharField(
        label=_("Station id"),
        max_length=48,
        help_text=_("The id the charger sends in its URL, at most 48 characters."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False
    )
    security_profile = forms.TypedChoiceField(
        label=_("Security profile"),
        choices=Station.SecurityProfile.choices,
        coerce=int,
        initial=Station.SecurityProfile.BASIC,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site = cast("forms.ModelChoiceField[Site]", self.fields["site"])
        site.queryset = selectors.sites_for(user=user)
        # A site-limited user sees only stations at their sites: one is required.
        site.required = roles.access_for(user).site_ids is not None
        if site.required:
            site.error_messages["required"] = SITE_REQUIRED

    def clean_identity(self) -> str:
        identity = self.cleaned_data["identity"].strip()
        if not STATION_ID_PATTERN.match(identity):
            raise forms.ValidationError(STATION_ID_CHARACTERS)
        if identity.lower() in RESERVED_STATION_IDS:
            raise forms.ValidationError(STATION_ID_RESERVED)
        if Station.objects.filter(identity__iexact=identity).exists():
            raise forms.ValidationError(STATION_ID_TAKEN)
        return identity
