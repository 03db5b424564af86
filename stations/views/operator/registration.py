"""Operator pages: registering a charging station, and the one-time display of its credentials."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from backoffice.accounts.decorators import operator_required
from stations import selectors
from stations.exceptions import StationAlreadyRegistered
from stations.forms.registration import PROFILE_0_WARNING, StationRegistrationForm
from stations.models import Station
from stations.services.inventory import registration


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
            # The answer to this POST is the one place the password ever appears: not in a
            # redirect's session or messages cookie, where it would wait for the next page.
            return _credentials(request, registered.station, password=registered.password)
    return render(
        request,
        "operator/stations/register.html",
        {"form": form, "nav": "stations", "profile_0_warning": PROFILE_0_WARNING},
    )


@operator_required
def station_registered(request: HttpRequest, identity: str) -> HttpResponse:
    """The URL and credentials to configure on the charger, without the password (shown once,
    in the answer to the registration)."""
    station = selectors.station_for(user=request.user, identity=identity)
    return _credentials(request, station, password="")


def _credentials(request: HttpRequest, station: Station, *, password: str) -> HttpResponse:
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
