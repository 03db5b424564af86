"""Where "/" and a fresh sign-in lead: staff to the dashboard, drivers to their portal."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from backoffice.accounts import roles


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if roles.access_for(request.user).is_staff:
        return redirect("operator:dashboard")
    return redirect("portal:home")
