"""Operator pages: the remote commands panel of the station page.

`POST /stations/<identity>/commands/<name>/` validates the command's form and calls the
command's service (the one the REST API's spec of the same name calls) as the signed-in user.
With htmx the outcome (accepted, rejected, CALLERROR, timed out, offline) replaces the panel's
outcome area; a form refused before sending comes back in place with its errors. Without
JavaScript the outcome becomes a message on the station page, and a refused form is shown on a
page of its own. Outside the user's sites: 404; a viewer: 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from backoffice.accounts.decorators import ROLE_CANNOT_ACT, operator_required, staff_required
from stations import selectors
from stations.exceptions import (
    CommandError,
    CommandTimeout,
    StationNotConnected,
    StationUnreachable,
)
from stations.forms import commands as command_forms
from stations.models import Command, Station
from stations.services.commands.bus import Caller

PANEL = "operator/stations/commands_panel.html"
FORM_PAGE = "operator/stations/commands_form.html"
CALLER_LABEL = "operator"
# Station statuses that mean the command was taken (Accepted, and its per-command kin).
POSITIVE = frozenset({"Accepted", "Scheduled", "Unlocked", "AcceptedCanceled"})

UNKNOWN_COMMAND = _("This station offers no such command.")
OFFLINE = _("The station is not connected: nothing was sent.")
UNREACHABLE = _(
    "The server process holding the station's connection could not be reached (Redis is "
    "unavailable): nothing was sent. Try again in a moment."
)
TIMED_OUT = _("The station did not answer in time.")
REJECTED = _("The station refused the command.")
HEADLINES = {
    "answered": _("Answered"),
    "timed_out": _("Timed out"),
    "offline": _("Station offline"),
    "unreachable": _("Not sent"),
}
_LEVELS = {
    "accepted": messages.SUCCESS,
    "answered": messages.SUCCESS,
    "rejected": messages.WARNING,
    "call_error": messages.ERROR,
    "timed_out": messages.ERROR,
    "offline": messages.ERROR,
    "unreachable": messages.ERROR,
}


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails


@dataclass(frozen=True, slots=True)
class Outcome:
    """What came of a command, as the panel shows it.

    `kind`: accepted, rejected (`status` says how), answered (no status in the answer),
    call_error (`status` is the error code, `detail` its description), timed_out, offline,
    unreachable (the station's server process, not the station).
    """

    kind: str
    title: Any
    status: str = ""
    detail: Any = ""
    details: list[tuple[Any, Any]] = field(default_factory=list)
    command: Command | None = None

    @property
    def headline(self) -> Any:
        if self.kind == "call_error":
            return f"CALLERROR {self.status}"
        return self.status or HEADLINES.get(self.kind, "")

    @property
    def message(self) -> str:
        text = f"{self.title}: {self.headline}"
        return f"{text}. {self.detail}" if self.detail else f"{text}."


@require_http_methods(["GET", "POST"])
@staff_required
def station_command(request: HtmxRequest, identity: str, name: str) -> HttpResponse:
    """GET: the command's form on a page of its own; POST: send the command."""
    station = selectors.station_for(user=request.user, identity=identity)
    if not selectors.can_command(user=request.user, station=station):
        raise PermissionDenied(ROLE_CANNOT_ACT)
    if not command_forms.offered(name, station.ocpp_version):
        raise Http404(UNKNOWN_COMMAND)
    form_class = command_forms.FORMS[name]
    options = selectors.CommandOptions(station)
    if request.method == "GET":
        form = form_class(station=station, options=options)
        # htmx: the fresh form alone, for the panel to swap in (its choices changed).
        template = f"{PANEL}#command-form" if request.htmx else FORM_PAGE
        return render(request, template, _context(station, form))
    form = form_class(request.POST, station=station, options=options)
    outcome = _send(request, station, form) if form.is_valid() else None
    if outcome is None:
        return _refused(request, station, form)
    if request.htmx:
        return render(request, f"{PANEL}#outcome", {**_context(station, form), "outcome": outcome})
    messages.add_message(request, _LEVELS[outcome.kind], outcome.message)
    return redirect("operator:station_detail", identity=station.identity)


@require_GET
@operator_required
def id_token_options(request: HttpRequest, identity: str) -> HttpResponse:
    """The id tokens matching what was typed, as <option>s of the id token field's list."""
    selectors.station_for(user=request.user, identity=identity)
    query = request.GET.get("id_token", "")[:255]
    tokens = selectors.id_tokens_matching(user=request.user, query=query)
    return render(request, f"{PANEL}#id-token-options", {"tokens": tokens})


def _send(request: HttpRequest, station: Station, form: Any) -> Outcome | None:
    """Call the command's service; None when it refused the request (errors on the form)."""
    service = command_forms.spec_for(form.name).service
    caller = Caller(user=request.user, label=CALLER_LABEL)
    try:
        result = service(station_id=station.pk, caller=caller, **form.arguments())
    except StationUnreachable as err:
        return Outcome("unreachable", form.title, detail=UNREACHABLE, command=err.command)
    except StationNotConnected as err:
        return Outcome("offline", form.title, detail=OFFLINE, command=err.command)
    except CommandTimeout as err:
        return Outcome("timed_out", form.title, detail=TIMED_OUT, command=err.command)
    except CommandError as err:
        form.add_command_error(err)
        return None
    return _answered(form, result)


def _answered(form: Any, result: Any) -> Outcome:
    command: Command = result.command
    if command.state == Command.State.CALL_ERROR:
        return Outcome(
            "call_error",
            form.title,
            status=command.error_code,
            detail=command.error_description,
            command=command,
        )
    status = getattr(result, "status", None) or command.result_status
    if not status:
        kind = "answered"
    elif status in POSITIVE:
        kind = "accepted"
    else:
        kind = "rejected"
    return Outcome(
        kind,
        form.title,
        status=status,
        detail=REJECTED if kind == "rejected" else "",
        details=form.describe(result),
        command=command,
    )


def _refused(request: HtmxRequest, station: Station, form: Any) -> HttpResponse:
    """The form with its errors: in place of itself (htmx), else on its own page."""
    if not request.htmx:
        return render(request, FORM_PAGE, _context(station, form))
    response = render(request, f"{PANEL}#command-form", _context(station, form))
    return reswap(retarget(response, f"#command-form-{form.name}"), "outerHTML")


def _context(station: Station, form: Any) -> dict[str, Any]:
    return {"nav": "stations", "station": station, "form": form, "can_command": True}


urlpatterns: list[URLPattern] = [
    path(
        "<str:identity>/commands/id-tokens/",
        id_token_options,
        name="station_command_id_tokens",
    ),
    path("<str:identity>/commands/<slug:name>/", station_command, name="station_command"),
]
