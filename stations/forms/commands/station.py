"""The station forms (reset, availability, unlock, trigger, data transfer) and the
authorization forms (cache, local list)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stations.forms.commands.base import (
    AUTHORIZATION,
    CONNECTOR_WITHOUT_EVSE,
    NOT_JSON,
    STATION,
    CommandForm,
)
from stations.services.local_lists import local_list

# --- station ---------------------------------------------------------------------------------


class ResetForm(CommandForm):
    name, title, group = "reset", _("Reset"), STATION
    submit_label = _("Reset")

    def setup(self) -> None:
        if self.traits.reset_when_idle:
            choices = [
                ("idle", _("When idle (after the running sessions)")),
                ("now", _("Immediately (stops the running sessions)")),
            ]
        else:
            choices = [("soft", _("Soft (restart the software)")), ("hard", _("Hard (reboot)"))]
        self.fields["mode"] = forms.ChoiceField(
            label=_("Reset"), choices=choices, widget=forms.RadioSelect, initial=choices[0][0]
        )

    def arguments(self) -> dict[str, Any]:
        mode = self.cleaned_data["mode"]
        if self.traits.reset_when_idle:
            return {"hard": mode == "now", "when_idle": mode == "idle"}
        return {"hard": mode == "hard"}


class ChangeAvailabilityForm(CommandForm):
    name, title, group = "change-availability", _("Change availability"), STATION

    def setup(self) -> None:
        self.evse_field("evse_id", required=False, blank=_("The whole station"))
        self.connector_field(required=False)
        self.fields["operative"] = forms.TypedChoiceField(
            label=_("Make it"),
            choices=[("yes", _("Operative")), ("no", _("Inoperative"))],
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect,
            initial="yes",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("connector_id") is not None and data.get("evse_id") is None:
            self.add_error("evse_id", CONNECTOR_WITHOUT_EVSE)
        return data

    def arguments(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items() if value is not None}


class UnlockConnectorForm(CommandForm):
    name, title, group = "unlock-connector", _("Unlock connector"), STATION
    submit_label = _("Unlock")

    def setup(self) -> None:
        self.evse_field("evse_id", required=True)
        self.connector_field(required=True)


class TriggerMessageForm(CommandForm):
    name, title, group = "trigger-message", _("Trigger message"), STATION
    submit_label = _("Trigger")

    def setup(self) -> None:
        self.fields["message"] = forms.ChoiceField(
            label=_("Message"),
            choices=[(message, message) for message in self.traits.trigger_messages],
            initial="StatusNotification",
        )
        self.evse_field("evse_id", required=False, blank=_("The whole station"))


class ClearCacheForm(CommandForm):
    name, title, group = "clear-cache", _("Clear authorization cache"), AUTHORIZATION
    submit_label = _("Clear")


class DataTransferForm(CommandForm):
    name, title, group = "data-transfer", _("Data transfer"), STATION

    vendor_id = forms.CharField(label=_("Vendor id"), max_length=255)
    message_id = forms.CharField(label=_("Message id"), max_length=50, required=False)

    def setup(self) -> None:
        self.fields["data"] = forms.CharField(
            label=_("Data"), widget=forms.Textarea(attrs={"rows": 3}), required=False
        )
        if self.traits.json_data_transfer:
            self.fields["data_is_json"] = forms.BooleanField(
                label=_("The data is JSON"), required=False
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("data_is_json") and data.get("data"):
            try:
                data["data"] = json.loads(data["data"])
            except ValueError:
                self.add_error("data", NOT_JSON)
        return data

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "vendor_id": data["vendor_id"],
            "message_id": data["message_id"] or None,
            "data": None if data["data"] in ("", None) else data["data"],
        }

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        if outcome.data is None:
            return []
        shown = outcome.data if isinstance(outcome.data, str) else json.dumps(outcome.data)
        return [(_("Data"), shown)]


# --- authorization ---------------------------------------------------------------------------


class SendLocalListForm(CommandForm):
    name, title, group = "send-local-list", _("Send local list"), AUTHORIZATION

    update_type = forms.ChoiceField(
        label=_("Send"),
        choices=[
            (local_list.FULL, _("The full list")),
            (local_list.DIFFERENTIAL, _("The changes since the last send")),
        ],
        widget=forms.RadioSelect,
        initial=local_list.FULL,
    )

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        return [(_("List version"), outcome.version), (_("Sent as"), outcome.update_type)]


class GetLocalListVersionForm(CommandForm):
    name, title, group = "get-local-list-version", _("Local list version"), AUTHORIZATION
    submit_label = _("Ask")

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        return [] if outcome.version is None else [(_("List version"), outcome.version)]
