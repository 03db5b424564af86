"""Creating and editing a site."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backoffice.accounts.models import IdToken
from backoffice.accounts.selectors import id_tokens_for
from stations.models import Site

COORDINATES_BOTH = _("Give both latitude and longitude, or neither.")
PRIVATE_WITHOUT_TOKENS = _(
    "A private site must accept at least one token or group token; "
    "otherwise let it accept every valid token."
)


class _TokenChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        token: IdToken = obj
        parts = [token.id_token]
        if token.label:
            parts.append(f"“{token.label}”")
        if token.group_id_token:
            parts.append(str(_("group %(group)s") % {"group": token.group_id_token}))
        return " · ".join(parts)


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = [
            "name",
            "address",
            "latitude",
            "longitude",
            "grid_limit_kw",
            "accepts_all_tokens",
            "allowed_id_tokens",
        ]
        field_classes = {"allowed_id_tokens": _TokenChoice}
        widgets = {
            # static/js/option_filter.js puts a search box above it.
            "allowed_id_tokens": forms.SelectMultiple(
                attrs={"size": 10, "data-option-filter": _("Search tokens…")}
            )
        }
        help_texts = {
            "latitude": _("Decimal degrees, -90 to 90 (e.g. 52.520008)."),
            "longitude": _("Decimal degrees, -180 to 180 (e.g. 13.404954)."),
            "grid_limit_kw": _("The most the site's grid connection may draw. Empty: no limit."),
            "accepts_all_tokens": _(
                "Off for a private site (a depot, a company car park): only the tokens chosen "
                "below, and the cards of the group tokens chosen below, may charge here; "
                "chargers answer the others “not at this location”."
            ),
            "allowed_id_tokens": _(
                "Cards, or group tokens for all the cards of a fleet (Ctrl/⌘-click for more "
                "than one). Used only when the site does not accept every valid token."
            ),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["latitude"].widget.attrs.update(min=-90, max=90, step="any")
        self.fields["longitude"].widget.attrs.update(min=-180, max=180, step="any")
        self.fields["grid_limit_kw"].widget.attrs.update(min=0, step="any")
        tokens: _TokenChoice = self.fields["allowed_id_tokens"]  # type: ignore[assignment]
        # Only the tokens the user sees: a site-limited operator picks among their sites'
        # tokens (a site's listed tokens are among them), never reads the whole network's.
        tokens.queryset = id_tokens_for(user=user).order_by("id_token")

    def clean_latitude(self) -> Any:
        return _in_range(self.cleaned_data["latitude"], 90, _("Latitude is between -90 and 90."))

    def clean_longitude(self) -> Any:
        return _in_range(
            self.cleaned_data["longitude"], 180, _("Longitude is between -180 and 180.")
        )

    def clean_grid_limit_kw(self) -> Any:
        limit = self.cleaned_data["grid_limit_kw"]
        if limit is not None and limit <= 0:
            raise forms.ValidationError(_("The grid limit must be more than 0 kW."))
        return limit

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        both_valid = "latitude" not in self.errors and "longitude" not in self.errors
        if both_valid and (latitude is None) != (longitude is None):
            missing = "longitude" if longitude is None else "latitude"
            self.add_error(missing, COORDINATES_BOTH)
        tokens = cleaned.get("allowed_id_tokens")
        if cleaned.get("accepts_all_tokens") is False and tokens is not None and not tokens:
            self.add_error("allowed_id_tokens", PRIVATE_WITHOUT_TOKENS)
        return cleaned


def _in_range(value: Any, bound: int, message: Any) -> Any:
    if value is not None and not -bound <= value <= bound:
        raise forms.ValidationError(message)
    return value
