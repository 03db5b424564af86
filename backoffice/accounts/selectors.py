"""Reads of accounts data for other apps."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from . import roles
from .models import IdToken


def id_token_by_value(value: str) -> IdToken | None:
    return IdToken.objects.filter(id_token=value).first()


# --- operator id token pages (issue 5) -------------------------------------------------------


def id_tokens_for(*, user: Any) -> QuerySet[IdToken]:
    """The id tokens a member of staff sees; others are not found (404).

    Tokens work at every site, so staff of every site see them all. Staff limited to some
    sites see the tokens that charged at a station of their sites, that one of their sites
    lists as accepted there, and the cards of a group token so listed (docs/drivers.md).
    """
    access = roles.access_for(user)
    if not access.is_staff:
        return IdToken.objects.none()
    if access.site_ids is None:
        return IdToken.objects.all()
    listed = IdToken.objects.filter(sites_allowed__in=access.site_ids)
    in_scope = IdToken.objects.filter(
        Q(transactions__station__site_id__in=access.site_ids)
        | Q(pk__in=listed.values("pk"))
        | Q(group_id_token__in=listed.exclude(id_token="").values("id_token"))
    )
    return IdToken.objects.filter(pk__in=in_scope.values("pk"))


def id_token_list(
    *, user: Any, search: str = "", status: str = "", type: str = "", awaiting: bool = False
) -> QuerySet[IdToken]:
    """Tokens in the user's scope by value, with their owner; `search` matches value, label and
    group (any case); `awaiting`: only drivers' cards waiting for approval."""
    tokens = id_tokens_for(user=user).select_related("user")
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


def id_token_detail(*, user: Any, pk: int) -> IdToken:
    """One token in the user's scope with its owner; Http404 otherwise."""
    token = id_tokens_for(user=user).select_related("user").filter(pk=pk).first()
    if token is None:
        raise Http404("No id token has this id.")
    return token


# --- operator driver pages (issue 6) ---------------------------------------------------------


def _drivers() -> QuerySet[Any]:
    """Users without staff access (roles: no staff profile, not a superuser)."""
    return get_user_model().objects.filter(staff_profile__isnull=True, is_superuser=False)


def _drivers_for(*, user: Any) -> QuerySet[Any]:
    """Drivers the user sees: all for staff of every site; for staff limited to sites, the
    owners of the tokens they see."""
    drivers = _drivers()
    if roles.access_for(user).site_ids is None:
        return drivers
    return drivers.filter(pk__in=id_tokens_for(user=user).values("user_id"))


def driver_list(*, user: Any, search: str = "") -> QuerySet[Any]:
    """Drivers in the user's scope with `token_count` and `session_count` (sessions started
    with their tokens); `search` matches email, names and username (any case)."""
    drivers = _drivers_for(user=user)
    if search:
        drivers = drivers.filter(
            Q(email__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(username__icontains=search)
        )
    tokens, sessions = _counted_for(user=user, prefix="id_tokens__")
    return drivers.annotate(
        token_count=Count("id_tokens", filter=tokens, distinct=True),
        session_count=Count("id_tokens__transactions", filter=sessions, distinct=True),
    ).order_by("email", "username", "pk")


def _counted_for(*, user: Any, prefix: str) -> tuple[Q | None, Q | None]:
    """Filters counting only the tokens and sessions the user sees (None: all of them)."""
    site_ids = roles.access_for(user).site_ids
    if site_ids is None:
        return None, None
    tokens = Q(**{f"{prefix}in": id_tokens_for(user=user)}) if prefix else None
    sessions = Q(**{f"{prefix}transactions__station__site_id__in": site_ids})
    return tokens, sessions


def driver_detail(*, user: Any, pk: int) -> Any:
    """One driver in the user's scope with their profile; Http404 for staff, unknown ids and
    drivers outside the scope."""
    driver = _drivers_for(user=user).select_related("driver_profile").filter(pk=pk).first()
    if driver is None:
        raise Http404("No driver has this id.")
    return driver


def driver_tokens(*, user: Any, driver: Any) -> QuerySet[IdToken]:
    """The driver's tokens that `user` sees."""
    return (
        id_tokens_for(user=user)
        .filter(user=driver)
        .order_by("-awaiting_approval", "id_token", "pk")
    )


def driver_session_count(*, user: Any, driver: Any) -> int:
    """Sessions started with the driver's tokens, at the user's sites."""
    _, sessions = _counted_for(user=user, prefix="")
    return IdToken.objects.filter(user=driver).aggregate(
        sessions=Count("transactions", filter=sessions, distinct=True)
    )["sessions"]
