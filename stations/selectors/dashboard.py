"""Reads of the dashboard and the site pages, in the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from backoffice.accounts import roles
from stations.models import Connector, SecurityEvent, Site, StatusEvent, Transaction
from stations.services.charging import connections

from .access import stations_for, transactions_for

# --- dashboard and sites (operator pages) ----------------------------------------------------
# Each read below is one query whatever the number of stations, sites or sessions, so the pages
# cost the same with 10 stations or 10,000 (tests assert the counts).

FAULTED = "Faulted"
# Error codes that mean "no error" (1.6 sends NoError; 2.x has no error code at all).
NO_ERROR_CODES = ("", "NoError")
# The live socket lets a page watch at most this many names (backoffice.live.consumer).
DASHBOARD_WATCHED_STATIONS = 49


@dataclass(frozen=True, slots=True)
class DashboardCounts:
    stations: int
    online: int
    faulted: int
    charging: int
    active_sessions: int
    sessions_today: int
    energy_today_wh: Decimal

    @property
    def offline(self) -> int:
        return self.stations - self.online

    @property
    def energy_today_kwh(self) -> Decimal:
        return (self.energy_today_wh / 1000).quantize(Decimal("0.1"))


def dashboard_counts(*, user: Any, day_start: datetime) -> DashboardCounts:
    """Station and session counts in the user's scope, in two queries.

    Faulted: the station (connector 0) or one of its connectors is Faulted. Charging: a
    connector reports Charging (1.6) or an active session's state is Charging (2.x).
    Sessions and energy "today" are those of sessions started at or after `day_start`; a
    running session's energy is up to its newest meter reading.
    """
    station = OuterRef("pk")
    faulted_connector = Connector.objects.filter(evse__station=station, status=FAULTED)
    charging_connector = Connector.objects.filter(evse__station=station, status="Charging")
    charging_session = Transaction.objects.filter(
        station=station, state=Transaction.State.ACTIVE, charging_state="Charging"
    )
    stations = stations_for(user=user).aggregate(
        total=Count("pk"),
        online=Count("pk", filter=Q(Exists(connections.live().filter(station=station)))),
        faulted=Count("pk", filter=Q(status=FAULTED) | Q(Exists(faulted_connector))),
        charging=Count("pk", filter=Q(Exists(charging_connector)) | Q(Exists(charging_session))),
    )
    today = Q(started_at__gte=day_start)
    sessions = (
        transactions_for(user=user)
        .order_by()
        .aggregate(
            active=Count("pk", filter=Q(state=Transaction.State.ACTIVE)),
            today=Count("pk", filter=today),
            energy=Sum(
                F("meter_stop_wh") - F("meter_start_wh"),
                filter=today & Q(meter_stop_wh__isnull=False, meter_start_wh__isnull=False),
            ),
        )
    )
    return DashboardCounts(
        stations=stations["total"],
        online=stations["online"],
        faulted=stations["faulted"],
        charging=stations["charging"],
        active_sessions=sessions["active"],
        sessions_today=sessions["today"],
        energy_today_wh=sessions["energy"] or Decimal(0),
    )


def recent_faults(*, user: Any, limit: int = 10) -> list[StatusEvent]:
    """The newest status notifications in scope that reported an error or Faulted."""
    return list(
        StatusEvent.objects.filter(station__in=stations_for(user=user))
        .filter(Q(status=FAULTED) | ~Q(error_code__in=NO_ERROR_CODES))
        .select_related("station")
        .order_by("-received_at")[:limit]
    )


def recent_security_events(*, user: Any, limit: int = 10) -> list[SecurityEvent]:
    """The newest security events of stations in scope."""
    return list(
        SecurityEvent.objects.filter(station__in=stations_for(user=user))
        .select_related("station")
        .order_by("-received_at")[:limit]
    )


def dashboard_station_ids(*, user: Any) -> list[int] | None:
    """The stations a site-limited user's dashboard watches live (at most the socket's limit);
    None for users who see every site (their dashboard watches the whole network)."""
    if roles.access_for(user).site_ids is None:
        return None
    return list(
        stations_for(user=user)
        .order_by("pk")
        .values_list("pk", flat=True)[:DASHBOARD_WATCHED_STATIONS]
    )


def sites_for(*, user: Any) -> QuerySet[Site]:
    """The sites the user sees, each annotated with `station_count`: staff by their sites."""
    access = roles.access_for(user)
    if not access.is_staff:
        return Site.objects.none()
    sites = Site.objects.all()
    if access.site_ids is not None:
        sites = sites.filter(pk__in=access.site_ids)
    return sites.annotate(station_count=Count("stations")).order_by("name", "pk")


def site_for(*, user: Any, pk: int) -> Site:
    """One site in scope (with `station_count`); Http404 outside the scope."""
    site = sites_for(user=user).filter(pk=pk).first()
    if site is None:
        raise Http404("No site has this id.")
    return site
