"""Guards for operator pages: staff only; commands only for roles that may send them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from . import roles

NOT_STAFF = _("This page is for the operating staff.")
ROLE_CANNOT_ACT = _("Your role allows reading only.")
NETWORK_WIDE = _(
    "Id tokens and driver accounts work at every site: staff of every site manage them."
)


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed in (else the sign-in page) and staff (else 403)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not roles.access_for(request.user).is_staff:
            raise PermissionDenied(NOT_STAFF)
        return view(request, *args, **kwargs)

    return wrapper


def operator_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Staff whose role may change things (admin, operator); viewers get 403."""

    @staff_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not roles.access_for(request.user).can_command:
            raise PermissionDenied(ROLE_CANNOT_ACT)
        return view(request, *args, **kwargs)

    return wrapper


def all_sites_operator_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """An operator or admin of every site: network-wide changes; others get 403."""

    @operator_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not roles.access_for(request.user).all_sites:
            raise PermissionDenied(NETWORK_WIDE)
        return view(request, *args, **kwargs)

    return wrapper
