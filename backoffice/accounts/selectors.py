"""Reads of accounts data for other apps."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import IdToken


def id_token_by_value(value: str) -> IdToken | None:
    return IdToken.objects.filter(id_token=value).first()


# --- operator id token pages (issue 5) -------------------------------------------------------


def id_token_list(*, search: str = "", status: str = "", type: str = "") -> QuerySet[IdToken]:
    """Tokens by value, with their owner; `search` matches value, label and group (any case).

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
    return tokens.order_by("id_token", "pk")


def id_token_detail(*, pk: int) -> IdToken:
    """One token with its owner; Http404 when there is none."""
    token = IdToken.objects.select_related("user").filter(pk=pk).first()
    if token is None:
        raise Http404("No id token has this id.")
    return token
