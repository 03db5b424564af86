"""The driver's menu: its unread-notifications badge, fetched again on each live notification."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backoffice.portal import selectors

UNREAD_BADGE = "portal/_unread_badge.html"


@require_GET
@login_required
def unread_badge(request: HttpRequest) -> HttpResponse:
    """The badge's content (empty when nothing is unread): the count is read again rather than
    counted up in the page, so a notification read elsewhere, or an event that reaches the page
    twice, shows right."""
    return render(request, UNREAD_BADGE, {"portal_unread": selectors.unread_count(request.user)})
