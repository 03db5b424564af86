"""Operator pages: sessions (list with filters and CSV export; detail with a live chart)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.accounts.decorators import staff_required
from backoffice.lib import csv_stream
from stations import selectors
from stations.forms.sessions import SessionFilterForm

SESSIONS_PER_PAGE = 50
EXPORT_CHUNK_ROWS = 2000
_KWH = Decimal("0.001")


@staff_required
def session_list(request: HttpRequest) -> HttpResponseBase:
    if request.GET.get("format") == "csv":
        return session_export(request)
    form = SessionFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    sessions = selectors.session_list_for(user=request.user, filters=form.filters())
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "operator/sessions/list.html",
        {"form": form, "page_obj": page, "query": query.urlencode(), "nav": "sessions"},
    )


# The guard is typed for HttpResponse; a streamed response is served the same way.
@staff_required
def session_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed: rows are read from the database in chunks."""
    form = SessionFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    rows = selectors.session_export_rows(user=request.user, filters=form.filters())
    header = [
        _("station"),
        _("EVSE"),
        _("connector"),
        _("transaction id"),
        _("id token"),
        _("started"),
        _("stopped"),
        _("duration"),
        _("energy kWh"),
        _("stop reason"),
        _("state"),
    ]
    lines = csv_stream.lines(header, _csv_rows(rows.iterator(chunk_size=EXPORT_CHUNK_ROWS)))
    response = StreamingHttpResponse(
        csv_stream.in_chunks(lines, EXPORT_CHUNK_ROWS)
        if isinstance(request, ASGIRequest)
        else lines,
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="sessions-{stamp}.csv"'
    return response


@staff_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    summary = selectors.session_summary_for(user=request.user, pk=pk, now=timezone.now())
    return render(
        request,
        "operator/sessions/detail.html",
        {
            "summary": summary,
            "session": summary.transaction,
            "duration": _summary_duration(summary),
            "events": selectors.session_events(transaction_pk=pk),
            "nav": "sessions",
        },
    )


@staff_required
def session_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary card alone (the detail page refreshes it on the session's live events)."""
    summary = selectors.session_summary_for(user=request.user, pk=pk, now=timezone.now())
    return render(
        request,
        "operator/sessions/detail.html#summary",
        {
            "summary": summary,
            "session": summary.transaction,
            "duration": _summary_duration(summary),
        },
    )


@staff_required
def session_series(request: HttpRequest, pk: int) -> JsonResponse:
    """Power (W), energy delivered (Wh) and SoC (%) over time, at most ~2000 points."""
    summary = selectors.session_summary_for(user=request.user, pk=pk, now=timezone.now())
    series = selectors.session_series(transaction=summary.transaction)
    return JsonResponse({**series.chart(), "state": summary.transaction.state})


def _summary_duration(summary: selectors.SessionSummary) -> str:
    return format_duration(summary.duration) if summary.duration is not None else ""


def _csv_rows(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[Any]]:
    for (
        station,
        evse,
        connector,
        transaction_id,
        id_tag,
        started,
        stopped,
        meter_start,
        meter_stop,
        stop_reason,
        state,
    ) in rows:
        energy = None
        if meter_start is not None and meter_stop is not None:
            energy = ((meter_stop - meter_start) / 1000).quantize(_KWH)
        yield [
            csv_stream.safe_text(station),
            "" if evse is None else evse,
            "" if connector is None else connector,
            csv_stream.safe_text(transaction_id),
            csv_stream.safe_text(id_tag),
            _iso(started),
            _iso(stopped),
            _duration(started, stopped),
            "" if energy is None else energy,
            csv_stream.safe_text(stop_reason),
            state,
        ]


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else timezone.localtime(moment).isoformat(timespec="seconds")


def _duration(started: datetime | None, stopped: datetime | None) -> str:
    if started is None or stopped is None:
        return ""
    return format_duration(stopped - started)


def format_duration(duration: timedelta) -> str:
    """H:MM:SS (hours unbounded), as the list, the detail page and the export show it."""
    seconds = max(int(duration.total_seconds()), 0)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


urlpatterns = [
    path("", session_list, name="session_list"),
    path("export.csv", session_export, name="session_export"),
    path("<int:pk>/", session_detail, name="session_detail"),
    path("<int:pk>/summary/", session_summary, name="session_summary"),
    path("<int:pk>/series.json", session_series, name="session_series"),
]
