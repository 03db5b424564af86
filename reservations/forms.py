"""The reservation forms of the station page's remote commands (`stations.forms.commands`);
registered by `ReservationsConfig.ready`, in the Sessions group after the remote stop."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reservations import selectors
from stations.forms.commands.base import IN_THE_PAST, SESSIONS, CommandForm, datetime_field

NO_RESERVATIONS = _("This station holds no reservation.")


class ReserveNowForm(CommandForm):
    name, title, group = "reserve-now", _("Reserve now"), SESSIONS
    submit_label = _("Reserve")

    def setup(self) -> None:
        self.id_token_field()
        self.fields["expires_at"] = datetime_field(
            _("Until"), initial=lambda: timezone.localtime() + timedelta(minutes=30)
        )
        self.evse_field("evse_id", required=False, blank=_("Any EVSE"))
        if self.traits.reserve_connector_type:
            self.fields["connector_type"] = forms.CharField(
                label=_("Connector type"),
                max_length=20,
                required=False,
                help_text=_("Instead of an EVSE, e.g. cCCS2 or cType2."),
            )

    def clean_expires_at(self) -> Any:
        value = self.cleaned_data["expires_at"]
        if value <= timezone.now():
            raise forms.ValidationError(IN_THE_PAST)
        return value

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        return [(_("Reservation id"), outcome.reservation.reservation_id)]


class CancelReservationForm(CommandForm):
    name, title, group = "cancel-reservation", _("Cancel reservation"), SESSIONS

    def setup(self) -> None:
        # One query, read where the form is built (the panel builds each form once).
        reservations = selectors.active_reservations(self.station)
        self.fields["reservation_id"] = forms.TypedChoiceField(
            label=_("Reservation"),
            coerce=int,
            choices=[
                (
                    r.reservation_id,
                    _("%(id)s for %(token)s until %(until)s")
                    % {
                        "id": r.reservation_id,
                        "token": r.id_tag,
                        "until": timezone.localtime(r.expires_at).strftime("%Y-%m-%d %H:%M"),
                    },
                )
                for r in reservations
            ],
        )
        if not reservations:
            self.unavailable = NO_RESERVATIONS


FORMS = (ReserveNowForm, CancelReservationForm)
