"""The driver's profile: name, phone and which notifications they want."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backoffice.accounts.exceptions import ProfileInvalid
from backoffice.accounts.services import drivers
from backoffice.portal.forms import ProfileForm

from .display import page


@require_http_methods(["GET", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    current = drivers.ensure_profile(request.user)
    initial = {name: getattr(current, name) for name in ProfileForm.PREFERENCES}
    # login_required: the user is a real account, whatever the request's type says.
    initial.update({name: getattr(request.user, name) for name in ("first_name", "last_name")})
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            drivers.update_preferences(
                user=request.user,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                **form.preferences(),
            )
        except ProfileInvalid as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("portal:profile")
    return page(
        request,
        "portal/profile.html",
        {"nav": "portal-profile", "form": form},
        status=400 if form.errors else 200,
    )
