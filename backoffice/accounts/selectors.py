"""Reads of accounts data for other apps."""

from __future__ import annotations

from .models import IdToken


def id_token_by_value(value: str) -> IdToken | None:
    return IdToken.objects.filter(id_token=value).first()
