"""Start charging: pick site, station and connector, or open a connector's QR link.

The QR link (`start_at`) works for anybody with the code: signed-out visitors sign in first
and come back (`next`). What the page says about the connector, and whether a start is
allowed, comes from `charging.connector_state`; the start itself from `charging.start`.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from backoffice.portal import selectors
from backoffice.portal.forms import LimitsForm
from backoffice.portal.services import charging
from stations.models import Station

from .display import page, reason_label

M = TypeVar("M", bound=Model)


@require_GET
@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Step by step: the sites, then a site's stations, then a station's connectors."""
    sites = selectors.startable_sites()
    site = _pick(sites, request.GET.get("site"))
    stations = selectors.startable_stations(site) if site is not None else Station.objects.none()
    station = _pick(stations, request.GET.get("station")) if site is not None else None
    connectors: list[tuple[charging.ConnectorState, str]] = []
    if station is not None:
        for connector in selectors.startable_connectors(station):
            state = charging.connector_state(
                station_id=station.pk,
                evse_id=connector.evse.evse_id,
                connector_id=connector.connector_id,
                user=request.user,
            )
            connectors.append((state, reason_label(state.reason)))
    return page(
        request,
        "portal/start/pick.html",
        {
            "nav": "portal-start",
            "sites": sites,
            "site": site,
            "stations": stations,
            "station": station,
            "connectors": connectors,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def start_at(request: HttpRequest, identity: str, evse_id: int, connector_id: int) -> HttpResponse:
    station = selectors.startable_station(identity)
    form = LimitsForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        wanted = form.limits()
        try:
            outcome = charging.start(
                user=request.user,
                station_id=station.pk,
                evse_id=evse_id,
                connector_id=connector_id,
                limit_energy_wh=wanted["energy_wh"],
                limit_minutes=wanted["minutes"],
            )
        except charging.ChargingUnavailable as err:
            error = err.message
        else:
            if outcome.accepted:
                messages.success(request, outcome.message)
            else:
                messages.error(request, outcome.message)
            return redirect("portal:home")
    state = charging.connector_state(
        station_id=station.pk, evse_id=evse_id, connector_id=connector_id, user=request.user
    )
    status = 200
    if form.errors:
        status = 400
    elif error:
        status = 409
    return page(
        request,
        "portal/start/connector.html",
        {
            "nav": "portal-start",
            "state": state,
            "reason_label": reason_label(state.reason),
            "form": form,
            "error": error,
        },
        status=status,
    )


def _pick(choices: QuerySet[M], raw: str | None) -> M | None:
    """The choice whose pk the query string names; None for a missing or foreign value."""
    if not raw or not raw.isdigit():
        return None
    return choices.filter(pk=int(raw)).first()
