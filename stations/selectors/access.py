"""Role-scoped access: the stations, commands and sessions a user may see (DESIGN §4)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from backoffice.accounts import roles
from stations.models import (
    Command,
    Connector,
    Evse,
    MeterValue,
    Station,
    StationJob,
    Transaction,
)
from stations.services.charging import connections

# --- role-scoped access (DESIGN §4) ---------------------------------------------------------
# Objects outside the user's scope are not found (404), so ids cannot be probed: callers fetch
# through these and never through the bare managers.


def stations_for(*, user: Any) -> QuerySet[Station]:
    """The stations the user may see: staff by their sites; drivers and nobody else none."""
    access = roles.access_for(user)
    if not access.is_staff:
        return Station.objects.none()
    if access.site_ids is None:
        return Station.objects.all()
    return Station.objects.filter(site_id__in=access.site_ids)


def station_list_for(
    *, user: Any, site_id: int | None = None, online: bool | None = None
) -> QuerySet[Station]:
    """Stations in scope with their site, EVSEs and connectors, annotated `online`."""
    stations = _with_live_status(stations_for(user=user)).select_related("site")
    if site_id is not None:
        stations = stations.filter(site_id=site_id)
    if online is not None:
        stations = stations.filter(online=online)  # type: ignore[misc]  # an annotation
    return stations.order_by("identity")


def station_for(*, user: Any, identity: str) -> Station:
    """One station in scope, as `station_list_for` gives it; Http404 outside the scope."""
    station = (
        _with_live_status(stations_for(user=user))
        .select_related("site", "connection")
        .filter(identity=identity)
        .first()
    )
    if station is None:
        raise Http404("No station has this id.")
    return station


def can_command(*, user: Any, station: Station) -> bool:
    """Whether the user's role allows commands to this station (which they can see)."""
    access = roles.access_for(user)
    return access.can_command and stations_for(user=user).filter(pk=station.pk).exists()


def can_download_uploads(*, user: Any) -> bool:
    """Whether the role may download what stations uploaded (diagnostics, logs).

    Only roles that may command: a station's raw diagnostics and logs can hold credentials
    (network profiles, authorization keys) that the pages mask from viewers.
    """
    return roles.access_for(user).can_command


def station_job_for(*, user: Any, pk: int) -> StationJob:
    """A firmware or log job of a station in scope; Http404 outside the scope."""
    job = StationJob.objects.filter(station__in=stations_for(user=user), pk=pk).first()
    if job is None:
        raise Http404("No job has this id.")
    return job


def commands_for(*, user: Any) -> QuerySet[Command]:
    """Commands to stations in scope; a driver's: the commands they asked for themselves."""
    access = roles.access_for(user)
    commands = Command.objects.select_related("station", "actor")
    if access.is_staff:
        return commands.filter(station__in=stations_for(user=user))
    if access.role == roles.DRIVER:
        return commands.filter(actor=user)
    return commands.none()


def command_for(*, user: Any, pk: int) -> Command:
    command = commands_for(user=user).filter(pk=pk).first()
    if command is None:
        raise Http404("No command has this id.")
    return command


def transactions_for(*, user: Any) -> QuerySet[Transaction]:
    """Sessions at stations in scope; a driver's: those started with one of their id tokens."""
    access = roles.access_for(user)
    transactions = Transaction.objects.select_related("station", "evse", "connector")
    if access.is_staff:
        return transactions.filter(station__in=stations_for(user=user))
    if access.role == roles.DRIVER:
        return transactions.filter(id_token__user=user)
    return transactions.none()


def transaction_for(*, user: Any, pk: int) -> Transaction:
    """One session in scope with its meter values (by time) and 2.x events (by seqNo)."""
    transaction = (
        transactions_for(user=user)
        .prefetch_related(
            Prefetch("meter_values", queryset=MeterValue.objects.order_by("timestamp", "pk")),
            "events",
        )
        .filter(pk=pk)
        .first()
    )
    if transaction is None:
        raise Http404("No transaction has this id.")
    return transaction


def _with_live_status(stations: QuerySet[Station]) -> QuerySet[Station]:
    return stations.annotate(
        online=Exists(connections.live().filter(station=OuterRef("pk")))
    ).prefetch_related(
        Prefetch(
            "evses",
            queryset=Evse.objects.order_by("evse_id").prefetch_related(
                Prefetch("connectors", queryset=Connector.objects.order_by("connector_id"))
            ),
        )
    )
