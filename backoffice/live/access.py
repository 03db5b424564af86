"""Which live groups a user may watch, by the names pages use ("station:12", "network"):
the same scope as the pages and the API (`stations.selectors`)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest

from backoffice.accounts import roles
from backoffice.lib.live_publisher import (
    NETWORK_GROUP,
    station_group,
    transaction_group,
    user_group,
)
from stations import selectors


def resolve(user: Any, names: list[str]) -> tuple[list[str], list[str]]:
    """Split `names` into the groups `user` may watch and the names refused."""
    allowed: list[str] = []
    refused: list[str] = []
    for name in names:
        group = _group_for(user, name)
        if group is None:
            refused.append(name)
        else:
            allowed.append(group)
    return allowed, refused


def session_user(session_key: str | None) -> Any:
    """Who the session signs in now, as a page request would see it: anonymous once the user
    is deactivated or deleted, or changed their password in another session."""
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return auth.get_user(request)


def name_of(group: str) -> str:
    if group == NETWORK_GROUP:
        return "network"
    if group.startswith("live.user."):
        # Only the user's own group is ever granted: it is "me" to them.
        return "me"
    _, kind, key = group.split(".", 2)
    return f"{kind}:{key}"


def _group_for(user: Any, name: str) -> str | None:
    kind, _, key = name.partition(":")
    if kind == "network" and not key:
        # Events of every station: for staff who see every site.
        access = roles.access_for(user)
        return NETWORK_GROUP if access.is_staff and access.site_ids is None else None
    if kind == "me" and not key:
        # The requesting user's own events (notifications), never anyone else's.
        return user_group(user.pk) if getattr(user, "is_authenticated", False) else None
    if not key.isdigit():
        return None
    # Scoped exactly as pages are: a station or session the user cannot see is refused.
    if kind == "station" and selectors.stations_for(user=user).filter(pk=int(key)).exists():
        return station_group(int(key))
    if kind == "transaction" and selectors.transactions_for(user=user).filter(pk=int(key)).exists():
        return transaction_group(int(key))
    return None
