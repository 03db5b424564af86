"""The driver's reservations (made for one of their cards, by an operator for now): the list,
one reservation, and cancelling an active one at the station."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backoffice.portal import reservation_selectors
from backoffice.portal.services.charging import CALLER_LABEL
from reservations.models import Reservation
from reservations.services import reservations
from stations.exceptions import CommandError, CommandInvalid
from stations.services.commands.bus import Caller

from .display import command_error, page

RESERVATIONS_PER_PAGE = 20
ALREADY_ENDED = gettext_lazy("This reservation has already ended.")


@require_GET
@login_required
def reservation_list(request: HttpRequest) -> HttpResponse:
    page_obj = Paginator(
        reservation_selectors.reservations_for(request.user), RESERVATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return page(
        request,
        "portal/reservations/list.html",
        {"nav": "portal-reservations", "page_obj": page_obj, "query": ""},
    )


@require_GET
@login_required
def reservation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = reservation_selectors.reservation_for(request.user, pk)
    return page(
        request,
        "portal/reservations/detail.html",
        {
            "nav": "portal-reservations",
            "reservation": reservation,
            "session_pk": reservation_selectors.session_of(request.user, reservation),
        },
    )


@require_POST
@login_required
def reservation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = reservation_selectors.reservation_for(request.user, pk)
    back = reverse("portal:reservation", args=[pk])
    try:
        result = reservations.cancel(
            station_id=reservation.station_id,
            reservation_id=reservation.reservation_id,
            caller=Caller(user=request.user, label=CALLER_LABEL),
        )
    except CommandInvalid:
        # The one refusal before sending: it is no longer active (ended meanwhile).
        messages.info(request, str(ALREADY_ENDED))
    except CommandError as err:
        command_error(request, err)
    else:
        if result.reservation.status == Reservation.Status.CANCELLED:
            messages.success(request, _("Reservation cancelled."))
        elif result.accepted:
            # Used or expired while the cancel was on its way.
            messages.info(request, str(ALREADY_ENDED))
        else:
            messages.error(
                request,
                _(
                    "The charger does not hold this reservation any more ({status}); it ends "
                    "by itself at its expiry."
                ).format(status=result.status or _("no reason given")),
            )
    return redirect(back)
