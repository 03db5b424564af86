"""The driver's sessions: history, a session's live page (card, chart), stop and limits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backoffice.portal import selectors
from backoffice.portal.forms import LimitsForm
from backoffice.portal.models import DriverSession
from backoffice.portal.services import charging, limits
from stations import selectors as station_selectors
from stations.exceptions import CommandError

from .display import SessionCard, command_error, duration_text, page, safe_next

SESSIONS_PER_PAGE = 20
DETAIL = "portal/sessions/detail.html"
# The limits service names its inputs in its own units; the form in the driver's.
LIMIT_FIELDS = {"energy_wh": "energy_kwh", "minutes": "minutes"}


@require_GET
@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    page_obj = Paginator(selectors.history(request.user), SESSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [
        (view, duration_text(view.duration)) for view in selectors.views_of(page_obj.object_list)
    ]
    return page(
        request,
        "portal/sessions/list.html",
        {"nav": "portal-sessions", "page_obj": page_obj, "rows": rows, "query": ""},
    )


@require_GET
@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, SessionCard(selectors.session_for(request.user, pk)))


@require_GET
@login_required
def session_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The live part of a session's card, refreshed by the page on the session's events; on
    the detail page (`detail`), with the page's heading, details and actions once it ended."""
    card = SessionCard(selectors.session_for(request.user, pk))
    detail = bool(request.GET.get("detail"))
    template = f"{DETAIL}#live" if detail else "portal/sessions/_card.html"
    return render(request, template, {"card": card, "detail": detail})


@require_GET
@login_required
def session_series(request: HttpRequest, pk: int) -> JsonResponse:
    """Power (W), energy (Wh) and SoC (%) over time, as the operator chart reads them."""
    tx = selectors.own_transaction(request.user, pk)
    series = station_selectors.session_series(transaction=tx)
    return JsonResponse({**series.chart(), "state": tx.state})


@require_POST
@login_required
def session_stop(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.own_transaction(request.user, pk)
    back = safe_next(request, reverse("portal:session", args=[pk]))
    try:
        result = charging.stop(user=request.user, transaction_pk=pk)
    except charging.ChargingUnavailable as err:
        messages.info(request, err.message)
    except CommandError as err:
        command_error(request, err)
    else:
        if result.accepted:
            messages.success(request, _("The charger is stopping your session."))
        else:
            messages.error(
                request,
                _("The charger refused to stop ({status}). Unplug at the charger.").format(
                    status=result.status or _("no reason given")
                ),
            )
    return redirect(back)


@require_POST
@login_required
def session_limits(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.session_for(request.user, pk)
    form = LimitsForm(request.POST, auto_id=f"id_s{pk}_%s")
    back = safe_next(request, reverse("portal:session", args=[pk]))
    if not form.is_valid():
        return _detail(request, SessionCard(view, limits_form=form), status=400)
    wanted = form.limits()
    try:
        limits.set_limits(
            user=request.user,
            transaction_pk=pk,
            energy_wh=wanted["energy_wh"],
            minutes=wanted["minutes"],
        )
    except DriverSession.DoesNotExist as err:
        raise Http404("No session has this id.") from err
    except limits.LimitInvalid as err:
        if err.field not in LIMIT_FIELDS:
            # About the session, not a value (it has ended, its limit is being enforced).
            messages.error(request, err.message)
            return redirect(back)
        form.add_error(LIMIT_FIELDS[err.field], err.message)
        return _detail(request, SessionCard(view, limits_form=form), status=400)
    messages.success(request, _("Limits saved."))
    return redirect(back)


def _detail(request: HttpRequest, card: SessionCard, *, status: int = 200) -> HttpResponse:
    return page(
        request,
        DETAIL,
        {"nav": "portal-sessions", "card": card, "detail": True},
        status=status,
    )
