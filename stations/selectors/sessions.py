"""Reads of the operator session pages: list, CSV export, detail and meter series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from backoffice.lib import meter_series
from stations.models import MeterValue, Transaction, TransactionEvent

from .access import transactions_for

# --- operator session pages: list, CSV export, detail and meter series (issue 5) -------------

# The chart of a session draws at most this many points, however many values are stored.
SESSION_SERIES_MAX_POINTS = 2000


@dataclass(frozen=True, slots=True)
class SessionFilters:
    site_id: int | None = None
    # Contained in the station id / the id token (any case).
    station: str = ""
    id_token: str = ""
    # Started at or after / before (aware datetimes).
    started_from: datetime | None = None
    started_before: datetime | None = None
    state: str = ""


def session_list_for(*, user: Any, filters: SessionFilters) -> QuerySet[Transaction]:
    """Sessions in scope, filtered, newest first, with station, site, EVSE, connector, token.

    One query per page whatever its rows (plus the paginator's count).
    """
    sessions = (
        transactions_for(user=user)
        .select_related("station__site", "id_token")
        .annotate(energy_kwh=(F("meter_stop_wh") - F("meter_start_wh")) / 1000)
    )
    if filters.site_id is not None:
        sessions = sessions.filter(station__site_id=filters.site_id)
    if filters.station:
        sessions = sessions.filter(station__identity__icontains=filters.station)
    if filters.id_token:
        sessions = sessions.filter(id_tag__icontains=filters.id_token)
    if filters.started_from is not None:
        sessions = sessions.filter(started_at__gte=filters.started_from)
    if filters.started_before is not None:
        sessions = sessions.filter(started_at__lt=filters.started_before)
    if filters.state:
        sessions = sessions.filter(state=filters.state)
    return sessions.order_by(F("started_at").desc(nulls_last=True), "-pk")


# The columns of the session export, in the order `session_export_rows` yields them.
SESSION_EXPORT_COLUMNS = (
    "station__identity",
    "evse__evse_id",
    "connector__connector_id",
    "transaction_id",
    "id_tag",
    "started_at",
    "stopped_at",
    "meter_start_wh",
    "meter_stop_wh",
    "stop_reason",
    "state",
)


def session_export_rows(*, user: Any, filters: SessionFilters) -> QuerySet[Any]:
    """The filtered sessions as tuples of SESSION_EXPORT_COLUMNS, for streaming (`.iterator`)."""
    return session_list_for(user=user, filters=filters).values_list(*SESSION_EXPORT_COLUMNS)


@dataclass(frozen=True, slots=True)
class SessionSummary:
    transaction: Transaction
    # Final energy of an ended session; so far (newest import register reading) of a running one.
    energy_wh: Decimal | None
    duration: timedelta | None


def session_summary_for(*, user: Any, pk: int, now: datetime) -> SessionSummary:
    """One session in scope with its energy and duration (running: up to `now`), one query.

    Http404 outside the scope. 2.x sessions carry their newest register reading; a running 1.6
    session's comes from its newest meter value holding the register (Uses index: meter value
    (transaction, timestamp)).
    """
    newest = MeterValue.objects.filter(transaction=OuterRef("pk")).order_by("-timestamp", "-pk")
    with_register = newest.holding(meter_series.ENERGY_IMPORT_REGISTER)
    tx = (
        transactions_for(user=user)
        .select_related("station__site", "id_token")
        .annotate(
            register_samples=Subquery(with_register.values("sampled_values")[:1]),
            newest_samples=Subquery(newest.values("sampled_values")[:1]),
        )
        .filter(pk=pk)
        .first()
    )
    if tx is None:
        raise Http404("No session has this id.")
    energy = tx.energy_wh
    if tx.state == Transaction.State.ACTIVE or energy is None:
        samples = tx.register_samples or tx.newest_samples or []
        reading = meter_series.read(samples).energy_wh
        if reading is not None and tx.meter_start_wh is not None:
            energy = reading - tx.meter_start_wh
    duration = None
    if tx.started_at is not None:
        end = tx.stopped_at or (now if tx.state == Transaction.State.ACTIVE else None)
        duration = end - tx.started_at if end is not None else None
    return SessionSummary(transaction=tx, energy_wh=energy, duration=duration)


def session_events(*, transaction_pk: int) -> QuerySet[TransactionEvent]:
    """The 2.x TransactionEvents of a session, by seqNo."""
    return TransactionEvent.objects.filter(transaction_id=transaction_pk).order_by("seq_no", "pk")


@dataclass(frozen=True, slots=True)
class SessionSeries:
    # Seconds since the epoch (UTC), oldest first, and one value (or None) per time.
    times: list[float]
    power_w: list[Decimal | None]
    # Energy delivered in the session so far (import register minus the start value).
    energy_wh: list[Decimal | None]
    soc_percent: list[Decimal | None]
    # Meter values stored for the session (the series holds at most max_points of them).
    stored: int

    def chart(self) -> dict[str, Any]:
        """What the session chart (static/js/session_chart.js) reads. Floats: chart
        coordinates only; pages show exact energy from the session, never from these."""
        return {
            "t": self.times,
            "power_w": _floats(self.power_w),
            "energy_wh": _floats(self.energy_wh),
            "soc_percent": _floats(self.soc_percent),
            "stored": self.stored,
        }


def _floats(values: list[Decimal | None]) -> list[float | None]:
    return [float(value) if value is not None else None for value in values]


def session_series(
    *, transaction: Transaction, max_points: int = SESSION_SERIES_MAX_POINTS
) -> SessionSeries:
    """Power, energy and SoC over time from the session's meter values, in two queries.

    More than `max_points` values are thinned in the database to every n-th one (the first and
    the newest always kept), so a session of 100,000 values sends and parses at most
    `max_points` rows. Uses index: meter value (transaction, timestamp).
    """
    values = MeterValue.objects.filter(transaction_id=transaction.pk)
    stored = values.count()
    rows = values.order_by("timestamp", "pk")
    if stored > max_points:
        step = -(-stored // (max_points - 1))
        rows = (
            rows.annotate(row=Window(RowNumber(), order_by=[F("timestamp").asc(), F("pk").asc()]))
            .annotate(slot=(F("row") - 1) % step)
            .filter(Q(slot=0) | Q(row=stored))
        )
    series = SessionSeries(times=[], power_w=[], energy_wh=[], soc_percent=[], stored=stored)
    baseline = transaction.meter_start_wh
    for timestamp, samples in rows.values_list("timestamp", "sampled_values"):
        reading = meter_series.read(samples)
        energy = reading.energy_wh
        if energy is not None:
            baseline = energy if baseline is None else baseline
            energy -= baseline
        series.times.append(timestamp.timestamp())
        series.power_w.append(reading.power_w)
        series.energy_wh.append(energy)
        series.soc_percent.append(reading.soc_percent)
    return series
