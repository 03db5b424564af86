"""Version-neutral requests of local authorization lists (see `commands.adapters`).

An entry's info is a version-neutral dict ({"type", "status", "expires_at", "group",
"group_type"}), kept on `LocalListEntry.sent_info` once the station accepted it; its status is
the 2.x one (NotAtThisLocation included), which a 1.6 adapter writes in its own words. Each
version's adapter refuses an id token longer than its version's lists carry (TOO_LONG_FOR_LIST).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from stations.exceptions import CommandInvalid
from stations.services.commands.adapters import Request

FULL, DIFFERENTIAL = "Full", "Differential"
UPDATE_TYPES = (FULL, DIFFERENTIAL)

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


@dataclass(frozen=True, slots=True)
class SendLocalList(Request):
    """The list as `list_version`: all of it (Full) or the changes (Differential)."""

    title: ClassVar[str] = "SendLocalList"
    update_type: str
    list_version: int
    items: tuple[Item, ...]

    def __post_init__(self) -> None:
        if self.update_type not in UPDATE_TYPES:
            raise CommandInvalid(UNKNOWN_UPDATE_TYPE, field="update_type")


@dataclass(frozen=True, slots=True)
class GetLocalListVersion(Request):
    """Which list version the station holds; read as an int (0 no list, -1 lists not
    supported in 1.6), None when the answer has none."""

    title: ClassVar[str] = "GetLocalListVersion"
