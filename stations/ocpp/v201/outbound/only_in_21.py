"""Values of a 2.x message that only 2.1 defines: the 2.x builders refuse them on 2.0.1."""

from __future__ import annotations

from stations.exceptions import CommandInvalid

V21 = "2.1"
V21_ONLY = "{what} exists only in OCPP 2.1: this station speaks OCPP 2.0.1."


def require_v21(version: str, what: str, *, field: str | None = None) -> None:
    """CommandInvalid unless `version` is 2.1: `what` (a field's value) is 2.1's alone."""
    if version != V21:
        raise CommandInvalid(V21_ONLY.format(what=what), field=field)
