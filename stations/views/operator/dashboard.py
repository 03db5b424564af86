"""Operator pages: the dashboard (network counts, recent faults and security events, live)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from backoffice.accounts.decorators import staff_required
from stations import selectors

PAGE = "operator/dashboard.html"


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = _live_context(request)
    context["watched_stations"] = selectors.dashboard_station_ids(user=request.user)
    context["nav"] = "dashboard"
    return render(request, PAGE, context)


@staff_required
def dashboard_live(request: HttpRequest) -> HttpResponse:
    """The live part of the dashboard, re-fetched when something in scope changes."""
    return render(request, f"{PAGE}#live", _live_context(request))


def _live_context(request: HttpRequest) -> dict[str, object]:
    day_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "counts": selectors.dashboard_counts(user=request.user, day_start=day_start),
        "faults": selectors.recent_faults(user=request.user),
        "security_events": selectors.recent_security_events(user=request.user),
    }


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("dashboard/live/", dashboard_live, name="dashboard_live"),
]
