"""Refuse a request whose URL holds control characters, before any view or query runs.

PostgreSQL refuses NUL in a text value, so `/stations/%00/`, `/api/v1/stations/%00/` or
`/portal/start/%00/1/1/` reached the database and ended in HTTP 500 (issue 11, hole 10). No
route, station id (OCPP ids are printable) or query value of ours holds a control character,
so such a request is answered 400 here, first in the middleware stack, for every URL.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from inspect import iscoroutinefunction
from urllib.parse import unquote_plus

import structlog
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.decorators import sync_and_async_middleware

log = structlog.get_logger(__name__)

# C0 controls and DEL in the path; in the query only NUL, the one the database refuses (a
# search for a tab or a line break is odd but harmless).
_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BAD_URL = "The address holds control characters."

Handler = Callable[[HttpRequest], HttpResponse]
AsyncHandler = Callable[[HttpRequest], Awaitable[HttpResponse]]


@sync_and_async_middleware
def refuse_control_characters(get_response: Handler | AsyncHandler) -> Handler | AsyncHandler:
    if iscoroutinefunction(get_response):

        async def async_middleware(request: HttpRequest) -> HttpResponse:
            return _refusal(request) or await get_response(request)  # type: ignore[misc]

        return async_middleware

    def middleware(request: HttpRequest) -> HttpResponse:
        return _refusal(request) or get_response(request)  # type: ignore[return-value]

    return middleware


def _refusal(request: HttpRequest) -> HttpResponse | None:
    query = request.META.get("QUERY_STRING", "")
    if not _PATH_CONTROL.search(request.path) and "\x00" not in unquote_plus(query):
        return None
    log.warning("http.control_characters", path=repr(request.path)[:200], query=query[:200])
    return HttpResponseBadRequest(BAD_URL, content_type="text/plain; charset=utf-8")
