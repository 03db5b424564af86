"""Operator pages: id tokens (list, create, block and unblock, expiry, approve or reject a
driver's card). Staff read; admins and operators change (viewers get 403 on every write)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from backoffice.accounts import selectors
from backoffice.accounts.decorators import (
    all_sites_operator_required,
    operator_required,
    staff_required,
)
from backoffice.accounts.exceptions import IdTokenInvalid
from backoffice.accounts.forms import IdTokenExpiryForm, IdTokenFilterForm, IdTokenForm
from backoffice.accounts.models import IdToken
from backoffice.accounts.services import id_tokens

TOKENS_PER_PAGE = 50


class _HtmxRequest(HttpRequest):
    htmx: HtmxDetails


@staff_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = IdTokenFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    tokens = selectors.id_token_list(
        user=request.user,
        search=(data.get("q") or "").strip(),
        status=data.get("status") or "",
        type=data.get("type") or "",
        awaiting=bool(data.get("awaiting")),
    )
    page = Paginator(tokens, TOKENS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "operator/tokens/list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query.urlencode(),
            "nav": "tokens",
            "now": timezone.now(),
            "awaiting_count": selectors.id_token_list(user=request.user, awaiting=True).count(),
        },
    )


@all_sites_operator_required
@require_http_methods(["GET", "POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    form = IdTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token = id_tokens.create(
                actor=request.user,
                id_token=data["id_token"],
                type=data["type"],
                label=data["label"],
                status=data["status"],
                expires_at=data["expires_at"],
                group_id_token=data["group_id_token"],
                user=data["owner"],
            )
        except IdTokenInvalid as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Id token “%(token)s” added.") % {"token": token.id_token})
            return redirect("operator:token_detail", pk=token.pk)
    return render(request, "operator/tokens/form.html", {"form": form, "nav": "tokens"})


@staff_required
def token_detail(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.id_token_detail(user=request.user, pk=pk)
    form = IdTokenExpiryForm(initial={"expires_at": token.expires_at})
    return _detail(request, token, form)


@operator_required
@require_POST
def token_expiry(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.id_token_detail(user=request.user, pk=pk)
    form = IdTokenExpiryForm(request.POST)
    if form.is_valid():
        try:
            id_tokens.set_expiry(
                actor=request.user, token_pk=token.pk, expires_at=form.cleaned_data["expires_at"]
            )
        except IdTokenInvalid as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Expiry saved."))
            return redirect("operator:token_detail", pk=token.pk)
    return _detail(request, token, form, status=400)


@operator_required
@require_POST
def token_block(request: _HtmxRequest, pk: int) -> HttpResponse:
    token = selectors.id_token_detail(user=request.user, pk=pk)
    token = id_tokens.block(actor=request.user, token_pk=token.pk)
    return _after_status_change(request, token, _("Id token “%(token)s” blocked."))


@operator_required
@require_POST
def token_unblock(request: _HtmxRequest, pk: int) -> HttpResponse:
    token = selectors.id_token_detail(user=request.user, pk=pk)
    token = id_tokens.unblock(actor=request.user, token_pk=token.pk)
    return _after_status_change(request, token, _("Id token “%(token)s” unblocked."))


@all_sites_operator_required
@require_POST
def token_approve(request: _HtmxRequest, pk: int) -> HttpResponse:
    token = selectors.id_token_detail(user=request.user, pk=pk)
    token = id_tokens.approve(actor=request.user, token_pk=token.pk)
    return _after_status_change(request, token, _("Card “%(token)s” approved."))


@all_sites_operator_required
@require_POST
def token_reject(request: _HtmxRequest, pk: int) -> HttpResponse:
    token = selectors.id_token_detail(user=request.user, pk=pk)
    token = id_tokens.reject(actor=request.user, token_pk=token.pk)
    return _after_status_change(request, token, _("Card “%(token)s” rejected (now Invalid)."))


def _detail(
    request: HttpRequest, token: IdToken, form: IdTokenExpiryForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "operator/tokens/detail.html",
        {"token": token, "expiry_form": form, "nav": "tokens", "now": timezone.now()},
        status=status,
    )


def _after_status_change(request: _HtmxRequest, token: IdToken, message: str) -> HttpResponse:
    if request.htmx:
        # The list swaps the token's row in place: the new status is the outcome shown.
        return render(
            request, "operator/tokens/list.html#row", {"token": token, "now": timezone.now()}
        )
    messages.success(request, message % {"token": token.id_token})
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("operator:token_detail", pk=token.pk)


urlpatterns = [
    path("", token_list, name="token_list"),
    path("new/", token_create, name="token_create"),
    path("<int:pk>/", token_detail, name="token_detail"),
    path("<int:pk>/expiry/", token_expiry, name="token_expiry"),
    path("<int:pk>/block/", token_block, name="token_block"),
    path("<int:pk>/unblock/", token_unblock, name="token_unblock"),
    path("<int:pk>/approve/", token_approve, name="token_approve"),
    path("<int:pk>/reject/", token_reject, name="token_reject"),
]
