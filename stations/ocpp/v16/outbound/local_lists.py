"""Local authorization lists in OCPP 1.6: idTag entries with their IdTagInfo."""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import Message
from stations.services.local_lists.requests import (
    TOO_LONG_FOR_LIST,
    GetLocalListVersion,
    Item,
    SendLocalList,
)

from .adapter import ADAPTER

# parentIdTag is an idTag: longer group tokens are left out of an entry.
_PARENT_ID_TAG_MAX = 20
# AuthorizationStatus (ConcurrentTx never goes on a list); a 2.x-only status an entry may hold
# (NotAtThisLocation) is Invalid here, as the 1.6 adapter answers it online.
_STATUSES = frozenset({"Accepted", "Blocked", "Expired", "Invalid"})


@ADAPTER.builds(SendLocalList, fields={"updateType": "update_type"})
def send_local_list(request: SendLocalList, version: str) -> Message:
    limit = ADAPTER.traits.id_token_max
    for item in request.items:
        if len(item.id_tag) > limit:
            raise CommandInvalid(
                TOO_LONG_FOR_LIST.format(token=item.id_tag, version=version, limit=limit),
                field="id_tokens",
            )
    return Message(
        "SendLocalList",
        {
            "listVersion": request.list_version,
            "updateType": request.update_type,
            "localAuthorizationList": [_entry(item) for item in request.items],
        },
    )


@ADAPTER.builds(GetLocalListVersion)
def get_local_list_version(request: GetLocalListVersion, version: str) -> Message:
    return Message("GetLocalListVersion", {})


@ADAPTER.reads(GetLocalListVersion)
def local_list_version(
    request: GetLocalListVersion, response: dict[str, Any], version: str
) -> int | None:
    reported = response.get("listVersion")
    return reported if isinstance(reported, int) else None


def _entry(item: Item) -> dict[str, Any]:
    entry: dict[str, Any] = {"idTag": item.id_tag}
    if item.info is not None:
        status = item.info["status"]
        info: dict[str, Any] = {"status": status if status in _STATUSES else "Invalid"}
        if item.info["expires_at"]:
            info["expiryDate"] = item.info["expires_at"]
        group = item.info["group"]
        if group and len(group) <= _PARENT_ID_TAG_MAX:
            info["parentIdTag"] = group
        entry["idTagInfo"] = info
    return entry
