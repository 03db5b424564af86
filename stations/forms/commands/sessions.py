"""The sessions forms: remote start and stop (the reservations app adds its own forms)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stations.forms.commands.base import (
    NO_SESSIONS,
    SESSIONS,
    CommandForm,
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
