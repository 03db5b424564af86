"""The filters of the session list and its CSV export."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.models import Site, Transaction
from stations.selectors import SessionFilters, sites_for

DATE_RANGE_REVERSED = _("The end date is before the start date.")


class SessionFilterForm(forms.Form):
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("All sites")
    )
    station = forms.CharField(label=_("Station"), required=False, max_length=48)
    id_token = forms.CharField(label=_("Id token"), required=False, max_length=255)
    started_from = forms.DateField(
        label=_("Started from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Inclusive: sessions started on that day are listed.
    started_to = forms.DateField(
        label=_("Started until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any state")), *Transaction.State.choices],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only sites the user sees: another site's name is not to be probed through the filter.
        site = cast("forms.ModelChoiceField[Site]", self.fields["site"])
        site.queryset = sites_for(user=user)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("started_from"), cleaned.get("started_to")
        if start and end and end < start:
            self.add_error("started_to", DATE_RANGE_REVERSED)
        return cleaned

    def filters(self) -> SessionFilters:
        """The filters of the fields that are valid (an invalid one filters nothing)."""
        data = getattr(self, "cleaned_data", {})
        site = data.get("site")
        start, end = data.get("started_from"), data.get("started_to")
        return SessionFilters(
            site_id=site.pk if site is not None else None,
            station=(data.get("station") or "").strip(),
            id_token=(data.get("id_token") or "").strip(),
            started_from=_day_start(start) if start else None,
            started_before=_day_start(end + timedelta(days=1)) if end else None,
            state=data.get("state") or "",
        )


def _day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
