"""Local authorization lists in OCPP 2.0.1 and 2.1: IdToken entries with their IdTokenInfo
(2.1 takes longer id tokens)."""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.commands import adapters
from stations.services.commands.adapters import Message
from stations.services.local_lists.requests import (
    TOO_LONG_FOR_LIST,
    GetLocalListVersion,
    Item,
    SendLocalList,
)

from .adapter import ADAPTER


@ADAPTER.builds(SendLocalList, fields={"updateType": "update_type"})
def send_local_list(request: SendLocalList, version: str) -> Message:
    limit = adapters.traits(version).id_token_max
    for item in request.items:
        if len(item.id_tag) > limit:
            raise CommandInvalid(
                TOO_LONG_FOR_LIST.format(token=item.id_tag, version=version, limit=limit),
                field="id_tokens",
            )
    payload: dict[str, Any] = {
        "versionNumber": request.list_version,
        "updateType": request.update_type,
    }
    if request.items:
        # An empty array is forbidden: an empty Full list clears the station's list.
        payload["localAuthorizationList"] = [_entry(item) for item in request.items]
    return Message("SendLocalList", payload)


@ADAPTER.builds(GetLocalListVersion)
def get_local_list_version(request: GetLocalListVersion, version: str) -> Message:
    return Message("GetLocalListVersion", {})


@ADAPTER.reads(GetLocalListVersion)
def local_list_version(
    request: GetLocalListVersion, response: dict[str, Any], version: str
) -> int | None:
    reported = response.get("versionNumber")
    return reported if isinstance(reported, int) else None


def _entry(item: Item) -> dict[str, Any]:
    entry: dict[str, Any] = {"idToken": {"idToken": item.id_tag, "type": item.type}}
    if item.info is not None:
        info: dict[str, Any] = {"status": item.info["status"]}
        if item.info["expires_at"]:
            info["cacheExpiryDateTime"] = item.info["expires_at"]
        if item.info["group"]:
            info["groupIdToken"] = {"idToken": item.info["group"], "type": item.info["group_type"]}
        entry["idTokenInfo"] = info
    return entry
