"""Operator pages: drivers (list and search, open an account, a driver's profile and tokens,
issue a token to them). Staff read; admins and operators change (viewers get 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backoffice.accounts import selectors
from backoffice.accounts.decorators import all_sites_operator_required, staff_required
from backoffice.accounts.exceptions import IdTokenInvalid, ProfileInvalid
from backoffice.accounts.forms import DriverCreateForm, DriverFilterForm, IssueTokenForm
from backoffice.accounts.services import drivers, id_tokens

DRIVERS_PER_PAGE = 50


@staff_required
def driver_list(request: HttpRequest) -> HttpResponse:
    form = DriverFilterForm(request.GET or None)
    search = (form.cleaned_data.get("q") or "").strip() if form.is_valid() else ""
    drivers_in_scope = selectors.driver_list(user=request.user, search=search)
    page = Paginator(drivers_in_scope, DRIVERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "operator/drivers/list.html",
        {"form": form, "page_obj": page, "query": query.urlencode(), "nav": "drivers"},
    )


@all_sites_operator_required
@require_http_methods(["GET", "POST"])
def driver_create(request: HttpRequest) -> HttpResponse:
    form = DriverCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            driver = drivers.create_driver(actor=request.user, request=request, **form.cleaned_data)
        except ProfileInvalid as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                _("Account opened; %(email)s got an email to set a password.")
                % {"email": driver.email},
            )
            return redirect("drivers:detail", pk=driver.pk)
    return render(request, "operator/drivers/form.html", {"form": form, "nav": "drivers"})


@staff_required
def driver_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.driver_detail(user=request.user, pk=pk), IssueTokenForm())


@all_sites_operator_required
@require_POST
def driver_issue_token(request: HttpRequest, pk: int) -> HttpResponse:
    driver = selectors.driver_detail(user=request.user, pk=pk)
    form = IssueTokenForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            # Issued by an operator: in use at once, no approval needed.
            token = id_tokens.create(
                actor=request.user,
                id_token=data["id_token"],
                type=data["type"],
                label=data["label"],
                expires_at=data["expires_at"],
                user=driver,
            )
        except IdTokenInvalid as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Id token “%(token)s” issued.") % {"token": token})
            return redirect("drivers:detail", pk=driver.pk)
    return _detail(request, driver, form, status=400)


def _detail(
    request: HttpRequest, driver: object, form: IssueTokenForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "operator/drivers/detail.html",
        {
            "driver": driver,
            "profile": getattr(driver, "driver_profile", None),
            "tokens": selectors.driver_tokens(user=request.user, driver=driver),
            "session_count": selectors.driver_session_count(user=request.user, driver=driver),
            "issue_form": form,
            "nav": "drivers",
            "now": timezone.now(),
        },
        status=status,
    )


app_name = "drivers"
urlpatterns = [
    path("", driver_list, name="list"),
    path("new/", driver_create, name="create"),
    path("<int:pk>/", driver_detail, name="detail"),
    path("<int:pk>/tokens/", driver_issue_token, name="issue_token"),
]
