"""Reads of accounts data for other apps."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .models import IdToken


def id_token_by_value(value: str) -> IdToken | None:
    return IdToken.objects.filter(id_token=value).first()


# --- operator id token pages (issue 5) -------------------------------------------------------


def id_token_list(
    *, search: str = "", status: str = "", type: str = "", awaiting: bool = False
) -> QuerySet[IdToken]:
    """Tokens by value, with their owner; `search` matches value, label and group (any case);
    `awaiting`: only drivers' cards waiting for approval.

    Id tokens are network-wide: every member of staff reads them all.
    """
    tokens = IdToken.objects.select_related("user")
    if search:
        tokens = tokens.filter(
            Q(id_token__icontains=search)
            | Q(label__icontains=search)
            | Q(group_id_token__icontains=search)
        )
    if status:
        tokens = tokens.filter(status=status)
    if type:
        tokens = tokens.filter(type=type)
    if awaiting:
        tokens = tokens.filter(awaiting_approval=True)
    return tokens.order_by("id_token", "pk")


def id_token_detail(*, pk: int) -> IdToken:
    """One token with its owner; Http404 when there is none."""
    token = IdToken.objects.select_related("user").filter(pk=pk).first()
    if token is None:
        raise Http404("No id token has this id.")
    return token


# --- operator driver pages (issue 6) ---------------------------------------------------------


def _drivers() -> QuerySet[Any]:
    """Users without staff access (roles: no staff profile, not a superuser)."""
    return get_user_model().objects.filter(staff_profile__isnull=True, is_superuser=False)


def driver_list(*, search: str = "") -> QuerySet[Any]:
    """Drivers with `token_count` and `session_count` (sessions started with their tokens);
    `search` matches email, names and username (any case)."""
    drivers = _drivers()
    if search:
        drivers = drivers.filter(
            Q(email__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(username__icontains=search)
        )
    return drivers.annotate(
        token_count=Count("id_tokens", distinct=True),
        session_count=Count("id_tokens__transactions", distinct=True),
    ).order_by("email", "username", "pk")


def driver_detail(*, pk: int) -> Any:
    """One driver with their profile; Http404 for staff and unknown ids."""
    driver = _drivers().select_related("driver_profile").filter(pk=pk).first()
    if driver is None:
        raise Http404("No driver has this id.")
    return driver


def driver_tokens(*, user: Any) -> QuerySet[IdToken]:
    return IdToken.objects.filter(user=user).order_by("-awaiting_approval", "id_token", "pk")


def driver_session_count(*, user: Any) -> int:
    return IdToken.objects.filter(user=user).aggregate(
        sessions=Count("transactions", distinct=True)
    )["sessions"]
