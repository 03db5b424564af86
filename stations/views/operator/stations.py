"""Operator pages: the station list and a station's detail page with its live fragments.

Every read goes through `stations.selectors` (scoped: a station outside the user's sites is a
404); every change through `stations.services` with the user as caller, so the outcome is on a
Command row and in the audit trail.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from backoffice.accounts.decorators import operator_required, staff_required
from stations import selectors
from stations.exceptions import (
    CommandInvalid,
    CommandTimeout,
    StationNotConnected,
    StationUnreachable,
)
from stations.models import Command, Site, Station
from stations.services.commands import adapters, remote
from stations.services.commands.bus import Caller
from stations.services.device import device_model, device_reports

PER_PAGE = 50
# How long a page waits for the station's answer to a configuration change or read.
COMMAND_TIMEOUT_SECONDS = 15.0
STATUSES = (
    "Available",
    "Preparing",
    "Charging",
    "SuspendedEVSE",
    "SuspendedEV",
    "Finishing",
    "Reserved",
    "Occupied",
    "Unavailable",
    "Faulted",
)
SORT_COLUMNS = ("identity", "site", "status", "last_seen")
WRITABLE = frozenset({"ReadWrite", "WriteOnly"})
UNKNOWN_VARIABLE = _("This value is not known for this station: read the configuration again.")
# What a configuration change or read came to, as the page says it.
OUTCOMES = {
    "accepted": _("Accepted"),
    "rejected": _("Rejected"),
    "reboot_required": _("Accepted: takes effect after a reboot"),
    "not_supported": _("Not supported by the station"),
    "empty": _("The station has nothing to report"),
    "call_error": _("The station answered with an error"),
    "timed_out": _("Timed out: the station did not answer"),
    "offline": _("Offline: the station is not connected"),
    "unreachable": _("Not sent: the station's server process could not be reached"),
}

LIST = "operator/stations/list.html"
DETAIL = "operator/stations/detail.html"


class StationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Identity, name, vendor, model or serial number."),
    )
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *((s, s) for s in STATUSES)],
    )
    ocpp_version = forms.ChoiceField(
        label=_("OCPP version"),
        required=False,
        choices=[("", _("Any version")), *((v, v) for v in adapters.VERSIONS)],
    )
    online = forms.ChoiceField(
        label=_("Online"),
        required=False,
        choices=[("", _("Online or not")), ("yes", _("Online")), ("no", _("Offline"))],
    )
    sort = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[(key, key) for column in SORT_COLUMNS for key in (column, f"-{column}")],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site = self.fields["site"]
        assert isinstance(site, forms.ModelChoiceField)  # noqa: S101 - declared above
        site.queryset = selectors.sites_for(user=user)
        site.empty_label = _("Every site")


class ConfigurationValueForm(forms.Form):
    variable = forms.IntegerField(widget=forms.HiddenInput)
    # OCPP 2.x attributeValue: at most 1000 characters (1.6 values 500, checked by its schema).
    value = forms.CharField(label=_("New value"), max_length=1000, required=False, strip=False)


# --- the list --------------------------------------------------------------------------------


@require_GET
@staff_required
def station_list(request: HttpRequest) -> HttpResponse:
    form = StationFilterForm(request.GET or None, user=request.user)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        online = {"yes": True, "no": False}.get(data["online"])
        filters = {
            "search": data["q"].strip(),
            "site_id": data["site"].pk if data["site"] else None,
            "status": data["status"],
            "ocpp_version": data["ocpp_version"],
            "online": online,
            "sort": data["sort"] or "identity",
        }
    sort = filters.get("sort", "identity")
    stations = selectors.station_page_list_for(user=request.user, **filters)
    page_obj = Paginator(stations, PER_PAGE).get_page(request.GET.get("page"))
    kept = [(k, v) for k, v in request.GET.items() if k not in ("page", "sort") and v]
    query = urlencode([*kept, ("sort", sort)] if sort != "identity" else kept)
    return render(
        request,
        LIST,
        {
            "nav": "stations",
            "form": form,
            "page_obj": page_obj,
            "query": query,
            "sort": sort,
            "sort_links": {
                column: "?" + urlencode([*kept, ("sort", _next_sort(sort, column))])
                for column in SORT_COLUMNS
            },
        },
    )


@require_GET
@staff_required
def station_row(request: HttpRequest, identity: str) -> HttpResponse:
    station = selectors.station_for(user=request.user, identity=identity)
    return render(request, f"{LIST}#row", {"station": station})


def _next_sort(current: str, column: str) -> str:
    return f"-{column}" if current == column else column


# --- the detail page -------------------------------------------------------------------------


@require_GET
@staff_required
def station_detail(request: HttpRequest, identity: str) -> HttpResponse:
    station = selectors.station_for(user=request.user, identity=identity)
    action = request.GET.get("action", "").strip()[:64]
    context = {
        "nav": "stations",
        "station": station,
        "traits": adapters.traits(station.ocpp_version),
        "can_command": selectors.can_command(user=request.user, station=station),
        "sessions": selectors.current_sessions_for_station(station_id=station.pk),
        "configuration": _configuration_rows(station),
        "commands": selectors.station_commands_recent(station_id=station.pk),
        "jobs": selectors.station_jobs_recent(station_id=station.pk),
        "can_download": selectors.can_download_uploads(user=request.user),
        "security_events": selectors.station_security_events_recent(station_id=station.pk),
        "frames": selectors.station_frames_recent(identity=station.identity, action=action),
        "frame_action": action,
    }
    return render(request, DETAIL, context)


@require_GET
@staff_required
def station_status(request: HttpRequest, identity: str) -> HttpResponse:
    """Identity, presence, EVSEs, connectors and current sessions: refreshed on events."""
    station = selectors.station_for(user=request.user, identity=identity)
    sessions = selectors.current_sessions_for_station(station_id=station.pk)
    return render(request, f"{DETAIL}#status", {"station": station, "sessions": sessions})


@require_GET
@staff_required
def station_history(request: HttpRequest, identity: str) -> HttpResponse:
    """Commands, jobs and security events: refreshed when a command finishes."""
    station = selectors.station_for(user=request.user, identity=identity)
    context = {
        "station": station,
        "commands": selectors.station_commands_recent(station_id=station.pk),
        "jobs": selectors.station_jobs_recent(station_id=station.pk),
        "can_download": selectors.can_download_uploads(user=request.user),
        "security_events": selectors.station_security_events_recent(station_id=station.pk),
    }
    return render(request, f"{DETAIL}#history", context)


@require_GET
@staff_required
def station_frames(request: HttpRequest, identity: str) -> HttpResponse:
    station = selectors.station_for(user=request.user, identity=identity)
    action = request.GET.get("action", "").strip()[:64]
    frames = selectors.station_frames_recent(identity=station.identity, action=action)
    context = {"station": station, "frames": frames, "frame_action": action}
    return render(request, f"{DETAIL}#frames", context)


@require_GET
@staff_required
def station_configuration(request: HttpRequest, identity: str) -> HttpResponse:
    station = selectors.station_for(user=request.user, identity=identity)
    context = {
        "station": station,
        "traits": adapters.traits(station.ocpp_version),
        "configuration": _configuration_rows(station),
        "can_command": selectors.can_command(user=request.user, station=station),
    }
    return render(request, f"{DETAIL}#configuration", context)


@require_POST
@operator_required
def change_configuration(request: HttpRequest, identity: str) -> HttpResponse:
    """Set one writable value on the station; answers the row with the outcome in place."""
    station = selectors.station_for(user=request.user, identity=identity)
    form = ConfigurationValueForm(request.POST)
    if not form.is_valid():
        row = None
        if form.cleaned_data.get("variable") is not None:
            row = _editable_row(station, form.cleaned_data["variable"])
        return _config_row(request, station, row, form=form, status=422)
    row = _editable_row(station, form.cleaned_data["variable"])
    if row is None or not row.editable:
        form.add_error("value", _("This value cannot be changed from here."))
        return _config_row(request, station, row, form=form, status=422)
    outcome = ""
    try:
        result = remote.change_configuration(
            station_id=station.pk,
            key=row.key,
            value=form.cleaned_data["value"],
            caller=_caller(request),
        )
    except CommandInvalid as err:
        form.add_error("value", err.message)
        return _config_row(request, station, row, form=form, status=422)
    except StationUnreachable:
        outcome = "unreachable"
    except StationNotConnected:
        outcome = "offline"
    except CommandTimeout:
        outcome = "timed_out"
    else:
        outcome = _outcome(result.command, result.status)
    row = _editable_row(station, row.variable.pk)
    return _config_row(request, station, row, outcome=outcome)


@require_POST
@operator_required
def read_configuration(request: HttpRequest, identity: str) -> HttpResponse:
    """Read the configuration, or ask for the full report where it is a device model that
    arrives in report parts after the answer."""
    station = selectors.station_for(user=request.user, identity=identity)
    traits = adapters.traits(station.ocpp_version)
    outcome, error = "", ""
    try:
        if traits.device_model:
            result = device_reports.get_base_report(station_id=station.pk, caller=_caller(request))
            outcome = _outcome(result.command, result.status)
        else:
            read = remote.get_configuration(station_id=station.pk, caller=_caller(request))
            outcome = _outcome(read.command, "Accepted")
    except CommandInvalid as err:
        error = err.message
    except StationUnreachable:
        outcome = "unreachable"
    except StationNotConnected:
        outcome = "offline"
    except CommandTimeout:
        outcome = "timed_out"
    if not _htmx(request):
        return _back_to_page(request, station, OUTCOMES.get(outcome, ""), [error] if error else [])
    context = {
        "station": station,
        "traits": traits,
        "configuration": _configuration_rows(station),
        "can_command": True,
        "read_outcome": outcome,
        "read_error": error,
        "read_outcome_label": OUTCOMES.get(outcome, ""),
        # A device-model report arrives in parts after the answer: read the rows again.
        "report_pending": traits.device_model and outcome == "accepted",
    }
    return render(request, f"{DETAIL}#configuration", context)


# --- helpers ---------------------------------------------------------------------------------


class ConfigurationRow:
    """A device-model row as the page shows it: its key, current value and whether it is
    editable here (writable, and expressible as a 1.6 key or a 2.x Component/Variable)."""

    def __init__(self, row: selectors.VariableRow) -> None:
        self.component = row.component
        self.variable = row.variable
        self.attributes = row.attributes
        self.actual = row.attributes.get("Actual")
        self.v16 = row.component.name == device_model.OCPP16_COMPONENT
        plain = not (
            row.component.instance
            or row.component.evse_id
            or row.component.connector_id
            or row.variable.instance
        )
        self.key = row.variable.name if self.v16 else f"{row.component.name}/{row.variable.name}"
        self.editable = (
            self.actual is not None and self.actual.mutability in WRITABLE and (self.v16 or plain)
        )


def _configuration_rows(station: Station) -> list[ConfigurationRow]:
    return [ConfigurationRow(row) for row in selectors.variables_for_station(station_id=station.pk)]


def _editable_row(station: Station, variable_id: int) -> ConfigurationRow | None:
    try:
        row = selectors.variable_row_for_station(station_id=station.pk, variable_id=variable_id)
    except Http404:
        return None
    return ConfigurationRow(row)


def _config_row(
    request: HttpRequest,
    station: Station,
    row: ConfigurationRow | None,
    *,
    form: ConfigurationValueForm | None = None,
    outcome: str = "",
    status: int = 200,
) -> HttpResponse:
    if not _htmx(request):
        errors = [str(e) for e in form.errors.get("value", [])] if form is not None else []
        if row is None:
            errors.append(str(UNKNOWN_VARIABLE))
        return _back_to_page(request, station, OUTCOMES.get(outcome, ""), errors)
    context: dict[str, Any] = {
        "station": station,
        "row": row,
        "form": form,
        "outcome": outcome,
        "outcome_label": OUTCOMES.get(outcome, ""),
    }
    if row is None:
        return render(request, f"{DETAIL}#config-error", context, status=status)
    context["can_command"] = True
    return render(request, f"{DETAIL}#config-row", context, status=status)


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _back_to_page(
    request: HttpRequest, station: Station, outcome_label: str | Promise, errors: list[str]
) -> HttpResponse:
    # Without JavaScript a form posts the whole page: say the outcome there (POST-redirect-GET).
    for error in errors:
        messages.error(request, error)
    if outcome_label:
        messages.info(request, str(outcome_label))
    url = reverse("operator:station_detail", args=[station.identity])
    return redirect(f"{url}#configuration")


def _caller(request: HttpRequest) -> Caller:
    return Caller(user=request.user, label="operator", timeout=COMMAND_TIMEOUT_SECONDS)


def _outcome(command: Command, status: str) -> str:
    """accepted, rejected, reboot_required, not_supported, call_error, timed_out or offline."""
    if command.state == Command.State.CALL_ERROR:
        return "call_error"
    if command.state in (Command.State.TIMED_OUT, Command.State.OFFLINE):
        return str(command.state)
    return {
        "Accepted": "accepted",
        "RebootRequired": "reboot_required",
        "NotSupported": "not_supported",
        "EmptyResultSet": "empty",
    }.get(status, "rejected")


urlpatterns: list[URLPattern] = [
    path("", station_list, name="station_list"),
    path("<str:identity>/", station_detail, name="station_detail"),
    path("<str:identity>/row/", station_row, name="station_row"),
    path("<str:identity>/status/", station_status, name="station_status"),
    path("<str:identity>/history/", station_history, name="station_history"),
    path("<str:identity>/frames/", station_frames, name="station_frames"),
    path("<str:identity>/configuration/", station_configuration, name="station_configuration"),
    path(
        "<str:identity>/configuration/change/",
        change_configuration,
        name="station_configuration_change",
    ),
    path(
        "<str:identity>/configuration/read/",
        read_configuration,
        name="station_configuration_read",
    ),
]
