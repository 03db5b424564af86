"""SendLocalList as each OCPP version writes it, and the list entry a token makes.

Pure: no database. An entry's info is a version-neutral dict ({"type", "status", "expires_at",
"group", "group_type"}), kept on `LocalListEntry.sent_info` once the station accepted it; its
status is the 2.x one (NotAtThisLocation included), written Invalid in a 1.6 list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backoffice.accounts.models import IdToken
from backoffice.lib.ocpp_time import format_ocpp_datetime
from stations.exceptions import CommandInvalid
from stations.services.commands.remote import V16, Message

FULL, DIFFERENTIAL = "Full", "Differential"
UPDATE_TYPES = (FULL, DIFFERENTIAL)
ACCEPTED = "Accepted"
# The longest id token each version's list can carry.
TOKEN_MAX = {"1.6": 20, "2.0.1": 36, "2.1": 255}
# 1.6 parentIdTag is an idTag: longer group tokens are left out of a 1.6 entry.
_PARENT_ID_TAG_MAX = 20
# 1.6 AuthorizationStatus (ConcurrentTx never goes on a list); a 2.x-only status an entry may
# hold (NotAtThisLocation) is Invalid there, as the 1.6 adapter answers it online.
_V16_STATUSES = frozenset({"Accepted", "Blocked", "Expired", "Invalid"})

UNKNOWN_UPDATE_TYPE = "The update type is Full or Differential."
TOO_LONG_FOR_LIST = (
    "The id token {token} is too long for an OCPP {version} local list "
    "(at most {limit} characters)."
)


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a SendLocalList: `info` None removes the token (differential only)."""

    id_tag: str
    type: str
    info: dict[str, Any] | None


# --- payloads --------------------------------------------------------------------------------


def build_send_local_list(
    *, version: str, update_type: str, list_version: int, items: list[Item]
) -> Message:
    """SendLocalList for `version`; `items` with info None are removals (differential only)."""
    if update_type not in UPDATE_TYPES:
        raise CommandInvalid(UNKNOWN_UPDATE_TYPE, field="update_type")
    limit = TOKEN_MAX.get(version, TOKEN_MAX[V16])
    for item in items:
        if len(item.id_tag) > limit:
            raise CommandInvalid(
                TOO_LONG_FOR_LIST.format(token=item.id_tag, version=version, limit=limit),
                field="id_tokens",
            )
    if version == V16:
        return Message(
            "SendLocalList",
            {
                "listVersion": list_version,
                "updateType": update_type,
                "localAuthorizationList": [_v16_entry(item) for item in items],
            },
        )
    payload: dict[str, Any] = {"versionNumber": list_version, "updateType": update_type}
    if items:
        # 2.x forbids an empty array: an empty Full list clears the station's list.
        payload["localAuthorizationList"] = [_v2x_entry(item) for item in items]
    return Message("SendLocalList", payload)


def token_info(token: IdToken, *, groups: dict[str, str], now: datetime) -> dict[str, Any]:
    """What a list entry tells about `token` now; `groups` maps group token values to types."""
    expired = token.expires_at is not None and token.expires_at <= now
    status = IdToken.Status.EXPIRED if expired and token.status == ACCEPTED else token.status
    group = token.group_id_token or None
    return {
        "type": token.type,
        "status": str(status),
        "expires_at": format_ocpp_datetime(token.expires_at) if token.expires_at else None,
        "group": group,
        "group_type": groups.get(group, IdToken.Type.CENTRAL.value) if group else None,
    }


def _v16_entry(item: Item) -> dict[str, Any]:
    entry: dict[str, Any] = {"idTag": item.id_tag}
    if item.info is not None:
        status = item.info["status"]
        info: dict[str, Any] = {"status": status if status in _V16_STATUSES else "Invalid"}
        if item.info["expires_at"]:
            info["expiryDate"] = item.info["expires_at"]
        group = item.info["group"]
        if group and len(group) <= _PARENT_ID_TAG_MAX:
            info["parentIdTag"] = group
        entry["idTagInfo"] = info
    return entry


def _v2x_entry(item: Item) -> dict[str, Any]:
    entry: dict[str, Any] = {"idToken": {"idToken": item.id_tag, "type": item.type}}
    if item.info is not None:
        info: dict[str, Any] = {"status": item.info["status"]}
        if item.info["expires_at"]:
            info["cacheExpiryDateTime"] = item.info["expires_at"]
        if item.info["group"]:
            info["groupIdToken"] = {
                "idToken": item.info["group"],
                "type": item.info["group_type"],
            }
        entry["idTokenInfo"] = info
    return entry
