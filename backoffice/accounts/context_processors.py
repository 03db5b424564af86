from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import roles


def access(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's role and scope, for menus and command panels."""
    return {"access": roles.access_for(getattr(request, "user", None))}
