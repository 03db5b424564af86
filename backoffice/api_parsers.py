"""JSON bodies for the REST API, refusing NUL characters anywhere in them.

PostgreSQL stores neither text nor jsonb holding U+0000, so a NUL inside free JSON (a
DataTransfer's `data`) reached the database and ended in HTTP 500 (issue 11, hole 10).
Serializer CharFields refuse NUL already; this refuses it in every string and key of any body,
with the same message, before a view runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

NUL_IN_BODY = "Null characters are not allowed."


class JSONWithoutNulParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if _holds_nul(data):
            raise ParseError(NUL_IN_BODY)
        return data


def _holds_nul(data: Any) -> bool:
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, Mapping):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False
