"""Reads for pages and APIs, with their joins and prefetches (STYLE rule 3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from backoffice.accounts import roles
from stations.models import (
    Command,
    Component,
    Connector,
    Evse,
    MeterValue,
    Station,
    Transaction,
    Variable,
    VariableAttribute,
)
from stations.services import connections


@dataclass(frozen=True, slots=True)
class VariableRow:
    component: Component
    variable: Variable
    # By attribute type: Actual, Target, MinSet, MaxSet.
    attributes: Mapping[str, VariableAttribute]


def variables_for_station(*, station_id: int) -> list[VariableRow]:
    """Every variable of the station with its component and attributes, in two queries.

    Ordered by component (name, instance, EVSE, connector), then variable (name, instance).
    """
    variables = (
        Variable.objects.filter(component__station_id=station_id)
        .select_related("component")
        .prefetch_related("attributes")
        .order_by(
            "component__name",
            "component__instance",
            "component__evse_id",
            "component__connector_id",
            "name",
            "instance",
        )
    )
    return [
        VariableRow(
            component=variable.component,
            variable=variable,
            attributes={attribute.type: attribute for attribute in variable.attributes.all()},
        )
        for variable in variables
    ]


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
        stations = stations.filter(online=online)
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
