"""Which live groups a user may watch, by the names pages use ("station:12", "network")."""

from __future__ import annotations

from typing import Any

from stations.models import Station, Transaction

from .publisher import NETWORK_GROUP, station_group, transaction_group


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


def name_of(group: str) -> str:
    if group == NETWORK_GROUP:
        return "network"
    _, kind, key = group.split(".", 2)
    return f"{kind}:{key}"


def _group_for(user: Any, name: str) -> str | None:
    if not (user.is_active and user.is_staff):
        return None
    kind, _, key = name.partition(":")
    if kind == "network" and not key:
        return NETWORK_GROUP
    if not key.isdigit():
        return None
    if kind == "station" and Station.objects.filter(pk=int(key)).exists():
        return station_group(int(key))
    if kind == "transaction" and Transaction.objects.filter(pk=int(key)).exists():
        return transaction_group(int(key))
    return None
