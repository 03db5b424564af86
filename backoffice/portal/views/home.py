"""The driver's home: running sessions live, starts waiting for the charger, news."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backoffice.portal import selectors

from .display import SessionCard, page

HOME = "portal/home.html"
RECENT_NOTIFICATIONS = 5


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    cards = [SessionCard(view) for view in selectors.active_sessions(request.user)]
    return page(
        request,
        HOME,
        {
            "nav": "portal-home",
            "cards": cards,
            "active_pks": _pks(card.transaction.pk for card in cards),
            "pending": list(selectors.pending_starts(request.user)),
            "notifications": selectors.notifications_for(request.user)[:RECENT_NOTIFICATIONS],
        },
    )


@require_GET
@login_required
def home_sessions(request: HttpRequest) -> HttpResponse:
    """The starts still waiting; once the set of running sessions differs from the one the
    page shows (a start went through, a session ended, a card started one), the whole page
    reloads (htmx HX-Refresh), so the new card comes with its live updates."""
    active = _pks(view.transaction.pk for view in selectors.active_sessions(request.user))
    if active != request.GET.get("active", ""):
        response = HttpResponse()
        response["HX-Refresh"] = "true"
        return response
    context = {"pending": list(selectors.pending_starts(request.user)), "active_pks": active}
    return render(request, f"{HOME}#pending", context)


def _pks(pks: Iterable[int]) -> str:
    return ",".join(str(pk) for pk in sorted(pks))
