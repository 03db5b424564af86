"""The driver's id tokens: the list with a form to add a card, rename, block and unblock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from backoffice.accounts.exceptions import IdTokenChangeRefused, IdTokenInvalid
from backoffice.accounts.models import IdToken
from backoffice.accounts.services import driver_tokens
from backoffice.portal import selectors
from backoffice.portal.forms import AddCardForm, RenameTokenForm

from .display import page

LIST = "portal/tokens/list.html"
ADDED_AWAITING_APPROVAL = _l("Card added. It works at the chargers once the operator approves it.")
DETAIL = "portal/tokens/detail.html"


@require_http_methods(["GET", "POST"])
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = AddCardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token = driver_tokens.add_card(user=request.user, **form.cleaned_data)
        except IdTokenInvalid as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            if token.awaiting_approval:
                messages.success(request, str(ADDED_AWAITING_APPROVAL))
            else:
                messages.success(request, _("Card added: it works at the chargers now."))
            return redirect("portal:tokens")
    status = 400 if form.errors else 200
    return page(
        request,
        LIST,
        {"nav": "portal-tokens", "tokens": selectors.tokens_for(request.user), "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def token_detail(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_for(request.user, pk)
    form = RenameTokenForm(
        request.POST if request.method == "POST" else None, initial={"label": token.label}
    )
    if request.method == "POST" and form.is_valid():
        with _own_token():
            driver_tokens.rename(user=request.user, token_pk=pk, label=form.cleaned_data["label"])
        messages.success(request, _("Name saved."))
        return redirect("portal:tokens")
    return page(
        request,
        DETAIL,
        {"nav": "portal-tokens", "token": token, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def token_block(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.token_for(request.user, pk)
    try:
        with _own_token():
            token = driver_tokens.block(user=request.user, token_pk=pk)
    except IdTokenChangeRefused as err:
        messages.error(request, err.message)
    else:
        messages.success(
            request, _("“{token}” is blocked: chargers refuse it.").format(token=token)
        )
    return redirect("portal:tokens")


@require_POST
@login_required
def token_unblock(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.token_for(request.user, pk)
    try:
        with _own_token():
            token = driver_tokens.unblock(user=request.user, token_pk=pk)
    except IdTokenChangeRefused as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("“{token}” works again.").format(token=token))
    return redirect("portal:tokens")


@contextmanager
def _own_token() -> Iterator[None]:
    """A token that is not (or no longer) the user's is a 404, as the selectors answer."""
    try:
        yield
    except IdToken.DoesNotExist as err:
        raise Http404("No id token has this id.") from err
