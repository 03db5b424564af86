"""What every command form shares: the messages, the group labels, `CommandForm` and its field
helpers, and the helpers that label choices and outcomes.

A form never asks which OCPP version a station speaks: what the version can express (a
connector per EVSE, the messages it can trigger, its longest id token...) comes from
`adapters.traits`, and which commands a station is offered from the catalogue.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.exceptions import CommandError
from stations.models import Station
from stations.selectors import CommandOptions
from stations.services.commands import adapters

ID_TOKEN_TOO_LONG = _("OCPP {version} id tokens are at most {limit} characters.")
ENDS_BEFORE_START = _("The end is before the start.")
IN_THE_PAST = _("Pick a time in the future.")
NOT_JSON = _("This is not valid JSON.")
CONNECTOR_WITHOUT_EVSE = _("Pick the EVSE of this connector.")
NO_SESSIONS = _("No session is running at this station.")
NO_FIRMWARE = _("No firmware file has been uploaded yet.")
NO_DISPLAY_MESSAGES = _("The station shows no message the back office knows of.")

SESSIONS = _("Sessions")
STATION = _("Station")
AUTHORIZATION = _("Authorization")
SMART_CHARGING = _("Smart charging")
MAINTENANCE = _("Maintenance")
DISPLAY = _("Display")


def datetime_field(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        **kwargs,
    )


class CommandForm(forms.Form):
    """A command's form for one station; subclasses name the command's API spec."""

    name: ClassVar[str]
    title: ClassVar[Any]
    group: ClassVar[Any]
    submit_label: ClassVar[Any] = _("Send")
    # A refusal's field (the service's keyword or the request's field, as the adapters name
    # it) -> the form field it comes from, where the names differ.
    request_fields: ClassVar[dict[str, str]] = {}
    # Choices that follow the station's sessions: the form re-renders when one changes.
    follows_sessions: ClassVar[bool] = False

    def __init__(self, *args: Any, station: Station, options: CommandOptions, **kwargs: Any):
        kwargs.setdefault("auto_id", f"id_{self.name}_%s")
        super().__init__(*args, **kwargs)
        self.station = station
        # Named in messages only; what the version can express is in `traits`.
        self.version = station.ocpp_version or adapters.DEFAULT_VERSION
        self.traits = adapters.traits(station.ocpp_version)
        self.options = options
        # Why the command cannot be sent now (nothing to pick from); "" when it can.
        self.unavailable: Any = ""
        self.setup()

    def setup(self) -> None:
        """Station-dependent fields and choices."""

    def arguments(self) -> dict[str, Any]:
        """The service's keyword arguments (besides station_id and caller)."""
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}

    def describe(self, outcome: Any) -> list[tuple[Any, Any]]:
        """What to show of the service's result besides the station's status."""
        return []

    def add_command_error(self, err: CommandError) -> None:
        """A refusal before sending (CommandInvalid): an error on the field it concerns."""
        field = err.field or ""
        target = field if field in self.fields else self.request_fields.get(field)
        self.add_error(target, err.message)

    # --- shared fields ---

    def evse_field(self, name: str, *, required: bool, blank: Any = "", zero: Any = "") -> None:
        """EVSE `name`: a select of the EVSEs the station reported, else a number."""
        evses = [evse_id for evse_id, _connectors in self.options.evses]
        label = _("Connector") if self.traits.one_connector_per_evse else _("EVSE")
        if not evses:
            hints = []
            if zero:
                hints.append(_("0: %(meaning)s") % {"meaning": zero})
            if blank:
                hints.append(_("Empty: %(meaning)s") % {"meaning": blank})
            self.fields[name] = forms.IntegerField(
                label=label,
                required=required,
                min_value=0 if zero else 1,
                help_text="; ".join(str(hint) for hint in hints),
            )
            return
        choices: list[tuple[Any, Any]] = [("", blank)] if not required else []
        if zero:
            choices.append((0, zero))
        choices += [(evse_id, f"{label} {evse_id}") for evse_id in evses]
        self.fields[name] = forms.TypedChoiceField(
            label=label, choices=choices, coerce=int, required=required, empty_value=None
        )

    def connector_field(self, *, required: bool) -> None:
        """The connector on the EVSE (none where each EVSE is one connector: no field)."""
        if self.traits.one_connector_per_evse:
            return
        connectors = sorted({c for _evse, ids in self.options.evses for c in ids}) or [1]
        choices: list[tuple[Any, Any]] = [] if required else [("", _("The whole EVSE"))]
        choices += [(c, _("Connector %(id)s") % {"id": c}) for c in connectors]
        self.fields["connector_id"] = forms.TypedChoiceField(
            label=_("Connector"), choices=choices, coerce=int, required=required, empty_value=None
        )

    def id_token_field(self, name: str = "id_token", **kwargs: Any) -> None:
        self.fields[name] = forms.CharField(
            label=_("Id token"),
            max_length=255,
            widget=forms.TextInput(attrs={"list": f"{self.name}-id-tokens", "autocomplete": "off"}),
            help_text=_("Type to search the id tokens, or enter any value."),
            **kwargs,
        )

    def clean_id_token(self) -> str:
        value = self.cleaned_data["id_token"].strip()
        limit = self.traits.id_token_max
        if len(value) > limit:
            raise forms.ValidationError(ID_TOKEN_TOO_LONG.format(version=self.version, limit=limit))
        return value

    def check_order(self, start: str, end: str) -> None:
        first, last = self.cleaned_data.get(start), self.cleaned_data.get(end)
        if first and last and last <= first:
            self.add_error(end, ENDS_BEFORE_START)


def _session_label(tx: Any) -> str:
    parts = [f"#{tx.transaction_id}"]
    if tx.evse is not None:
        parts.append(_("EVSE %(id)s") % {"id": tx.evse.evse_id})
    if tx.id_tag:
        parts.append(tx.id_tag)
    if tx.started_at:
        parts.append(timezone.localtime(tx.started_at).strftime("%Y-%m-%d %H:%M"))
    return " · ".join(str(part) for part in parts)


def _job(outcome: Any) -> list[tuple[Any, Any]]:
    rows: list[tuple[Any, Any]] = [(_("Job"), outcome.job.pk)]
    if outcome.job.file_name:
        rows.append((_("File"), outcome.job.file_name))
    return rows
