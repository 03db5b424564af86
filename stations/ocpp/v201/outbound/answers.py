"""Readers shared by the 2.x answers."""

from __future__ import annotations

from typing import Any

from stations.services.commands.requests import Status


def status(response: dict[str, Any]) -> Status:
    """An answer's status and its statusInfo (reasonCode, additionalInfo)."""
    value = response.get("status")
    info = response.get("statusInfo") or {}
    return Status(
        value if isinstance(value, str) else "",
        info.get("reasonCode", ""),
        info.get("additionalInfo", ""),
    )


def read_status(request: Any, response: dict[str, Any], version: str) -> Status:
    """The reader of a request whose answer is a status with its statusInfo."""
    return status(response)
