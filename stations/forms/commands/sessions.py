"""The sessions forms: remote start and stop, reservations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.forms.commands.base import (
    IN_THE_PAST,
    NO_RESERVATIONS,
    NO_SESSIONS,
    SESSIONS,
    CommandForm,
    _datetime,
    _session_label,
)

# --- sessions --------------------------------------------------------------------------------


class RemoteStartForm(CommandForm):
    name, title, group = "remote-start", _("Remote start"), SESSIONS
    submit_label = _("Start")

    def setup(self) -> None:
        self.evse_field("evse_id", required=False, blank=_("Any EVSE (the station picks)"))
        self.id_token_field()


class RemoteStopForm(CommandForm):
    name, title, group = "remote-stop", _("Remote stop"), SESSIONS
    submit_label = _("Stop")
    follows_sessions = True

    def setup(self) -> None:
        sessions = self.options.sessions
        self.fields["transaction_id"] = forms.ChoiceField(
            label=_("Session"),
            choices=[(tx.transaction_id, _session_label(tx)) for tx in sessions],
        )
        if not sessions:
            self.unavailable = NO_SESSIONS


class ReserveNowForm(CommandForm):
    name, title, group = "reserve-now", _("Reserve now"), SESSIONS
    submit_label = _("Reserve")

    def setup(self) -> None:
        self.id_token_field()
        self.fields["expires_at"] = _datetime(
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
        reservations = self.options.reservations
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
