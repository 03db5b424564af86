"""Ids the back office gives a request so the station's follow-ups can refer to it."""

from __future__ import annotations

import secrets

_INT32_MAX = 2**31 - 1


def new_request_id() -> int:
    """A request id the station echoes in its follow-ups; random, so never reused by chance."""
    return secrets.randbelow(_INT32_MAX) + 1
