"""The driver's notifications: the list (newest first) and "mark all read"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from backoffice.portal import selectors
from backoffice.portal.services import notifications

from .display import page

PER_PAGE = 30


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    # Each links to its session: fetched with the page, not once per row.
    notices = selectors.notifications_for(request.user).select_related("driver_session")
    page_obj = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    return page(
        request,
        "portal/notifications.html",
        {
            "nav": "portal-notifications",
            "page_obj": page_obj,
            "query": "",
            "unread": selectors.unread_count(request.user),
        },
    )


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notifications.mark_read(user=request.user)
    return redirect("portal:notifications")
