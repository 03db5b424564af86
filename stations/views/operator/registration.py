"""Operator pages: registering a charging station, and the one-time display of its credentials."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from backoffice.accounts.decorators import operator_required
from stations import selectors
from stations.exceptions import StationAlreadyRegistered
from stations.forms.registration import PROFILE_0_WARNING, StationRegistrationForm
from stations.models import Station
from stations.services import registration

# The session key holding the password of the station just registered, until it is shown once.
_SHOWN_ONCE = "station_register.password"


@operator_required
@require_http_methods(["GET", "POST"])
def station_register(request: HttpRequest) -> HttpResponse:
    form = StationRegistrationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            registered = registration.register(actor=request.user, **form.cleaned_data)
        except StationAlreadyRegistered as error:
            form.add_error("identity", error.message)
        else:
            request.session[_SHOWN_ONCE] = {
                "identity": registered.station.identity,
                "password": registered.password,
            }
            return redirect("operator:station_registered", identity=registered.station.identity)
    return render(
        request,
        "operator/stations/register.html",
        {"form": form, "nav": "stations", "profile_0_warning": PROFILE_0_WARNING},
    )


@operator_required
def station_registered(request: HttpRequest, identity: str) -> HttpResponse:
    """The URL and credentials to configure on the charger; the password only the first time."""
    station = selectors.station_for(user=request.user, identity=identity)
    pending = request.session.get(_SHOWN_ONCE)
    password = ""
    if pending and pending.get("identity") == station.identity:
        password = pending["password"]
        del request.session[_SHOWN_ONCE]
    response = render(
        request,
        "operator/stations/register_done.html",
        {
            "station": station,
            "ocpp_url": _ocpp_url(request, station),
            "password": password,
            "shown_before": not password and station.security_profile != 0,
            "profile_0_warning": PROFILE_0_WARNING,
            "nav": "stations",
        },
    )
    # The password must not outlive this response in any cache.
    response["Cache-Control"] = "no-store"
    return response


def _ocpp_url(request: HttpRequest, station: Station) -> str:
    """The URL the charger connects to: this server as the browser reached it; TLS (wss) when
    the page is served over HTTPS or the profile requires it."""
    secure = request.is_secure() or station.security_profile >= Station.SecurityProfile.TLS_BASIC
    scheme = "wss" if secure else "ws"
    return f"{scheme}://{request.get_host()}/ocpp/{station.identity}"


urlpatterns = [
    path("register/", station_register, name="station_register"),
    path("register/<str:identity>/", station_registered, name="station_registered"),
]
