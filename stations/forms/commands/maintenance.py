"""The maintenance forms (diagnostics, logs, firmware, reports, transaction status) and the
display forms (display messages, battery swap)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stations.forms.commands.base import (
    DISPLAY,
    MAINTENANCE,
    NO_DISPLAY_MESSAGES,
    NO_FIRMWARE,
    SESSIONS,
    CommandForm,
    _job,
    _session_label,
    datetime_field,
)
from stations.services.device import device_reports

# --- maintenance -----------------------------------------------------------------------------


class GetDiagnosticsForm(CommandForm):
    name, title, group = "get-diagnostics", _("Get diagnostics"), MAINTENANCE
    submit_label = _("Ask for upload")

    start_time = datetime_field(_("Oldest entry"), required=False)
    stop_time = datetime_field(_("Latest entry"), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.check_order("start_time", "stop_time")
        return data

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        return _job(outcome)


class GetLogForm(CommandForm):
    name, title, group = "get-log", _("Get log"), MAINTENANCE
    submit_label = _("Ask for upload")

    log_type = forms.ChoiceField(
        label=_("Log"),
        choices=[("DiagnosticsLog", _("Diagnostics log")), ("SecurityLog", _("Security log"))],
    )
    oldest = datetime_field(_("Oldest entry"), required=False)
    latest = datetime_field(_("Latest entry"), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.check_order("oldest", "latest")
        return data

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        return _job(outcome)


class UpdateFirmwareForm(CommandForm):
    name, title, group = "update-firmware", _("Update firmware"), MAINTENANCE
    submit_label = _("Update")

    def setup(self) -> None:
        files = self.options.firmware_files
        self.fields["firmware_id"] = forms.TypedChoiceField(
            label=_("Firmware"),
            coerce=int,
            choices=[
                (
                    f.pk,
                    " ".join(
                        str(part)
                        for part in (f.name, f.version, _("(signed)") if f.signature else "")
                        if part
                    ),
                )
                for f in files
            ],
        )
        self.fields["retrieve_at"] = datetime_field(
            _("Download at"), required=False, help_text=_("Empty: now.")
        )
        self.fields["retries"] = forms.IntegerField(
            label=_("Retries"), min_value=0, max_value=100, required=False
        )
        self.fields["retry_interval"] = forms.IntegerField(
            label=_("Seconds between retries"), min_value=0, required=False
        )
        if not files:
            self.unavailable = NO_FIRMWARE

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        return _job(outcome)


class GetBaseReportForm(CommandForm):
    name, title, group = "get-base-report", _("Get base report"), MAINTENANCE
    submit_label = _("Ask")

    report_base = forms.ChoiceField(
        label=_("Report"),
        choices=[
            (device_reports.FULL_INVENTORY, _("Full inventory")),
            ("ConfigurationInventory", _("Configuration inventory")),
            ("SummaryInventory", _("Summary inventory")),
        ],
    )

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        return [(_("Request id"), outcome.request_id)]


class GetTransactionStatusForm(CommandForm):
    name, title, group = "get-transaction-status", _("Transaction status"), SESSIONS
    submit_label = _("Ask")

    def setup(self) -> None:
        self.fields["transaction_id"] = forms.ChoiceField(
            label=_("Session"),
            required=False,
            choices=[("", _("None: does the station hold queued messages?"))]
            + [(tx.transaction_id, _session_label(tx)) for tx in self.options.sessions],
        )

    def arguments(self) -> dict[str, Any]:
        return {"transaction_id": self.cleaned_data["transaction_id"]}

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        rows: list[tuple[Any, Any]] = []
        if outcome.ongoing is not None:
            rows.append((_("Ongoing"), _("yes") if outcome.ongoing else _("no")))
        if outcome.messages_in_queue is not None:
            rows.append((_("Messages queued"), _("yes") if outcome.messages_in_queue else _("no")))
        return rows


# --- display ---------------------------------------------------------------------------------


class SetDisplayMessageForm(CommandForm):
    name, title, group = "set-display-message", _("Show a message"), DISPLAY
    submit_label = _("Show")

    def setup(self) -> None:
        self.fields["content"] = forms.CharField(
            label=_("Message"),
            max_length=self.traits.display_message_max,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.fields["priority"] = forms.ChoiceField(
            label=_("Priority"),
            choices=[
                ("NormalCycle", _("In turn with other messages")),
                ("InFront", _("In front of other messages")),
                ("AlwaysFront", _("Always in front")),
            ],
        )
        self.fields["language"] = forms.CharField(
            label=_("Language"), max_length=8, required=False, help_text=_("e.g. en, de, nl")
        )
        self.fields["start_at"] = datetime_field(_("From"), required=False)
        self.fields["end_at"] = datetime_field(_("Until"), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.check_order("start_at", "end_at")
        return data

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        if outcome.message is None:
            return []
        return [(_("Message id"), outcome.message.message_id)]


class ClearDisplayMessageForm(CommandForm):
    name, title, group = "clear-display-message", _("Remove a message"), DISPLAY
    submit_label = _("Remove")

    def setup(self) -> None:
        messages = self.options.display_messages
        self.fields["message_id"] = forms.TypedChoiceField(
            label=_("Message"),
            coerce=int,
            choices=[(m.message_id, f"{m.message_id}: {m.content[:60]}") for m in messages],
        )
        if not messages:
            self.unavailable = NO_DISPLAY_MESSAGES


class RequestBatterySwapForm(CommandForm):
    name, title, group = "request-battery-swap", _("Battery swap"), SESSIONS
    submit_label = _("Release a battery")

    def setup(self) -> None:
        self.id_token_field()

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        return [(_("Request id"), outcome.request_id)]
