"""Reads of the operator station pages: the station list and a station's detail."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from backoffice.lib import meter_series
from stations.models import (
    Command,
    Connector,
    MessageLog,
    MeterValue,
    SecurityEvent,
    Station,
    StationJob,
    Transaction,
    Variable,
)

from .access import station_list_for
from .devices import VariableRow

# --- operator station pages: list and detail (issue 5) --------------------------------------

# Sort keys the station list accepts ("-" prefix: descending); identity breaks ties.
STATION_SORTS: dict[str, str] = {
    "identity": "identity",
    "site": "site__name",
    "status": "status",
    "last_seen": "last_seen_at",
}
STATION_PAGE_FRAMES = 100
STATION_PAGE_COMMANDS = 50
STATION_PAGE_JOBS = 20
STATION_PAGE_SECURITY_EVENTS = 20


def station_page_list_for(
    *,
    user: Any,
    search: str = "",
    site_id: int | None = None,
    status: str = "",
    ocpp_version: str = "",
    online: bool | None = None,
    sort: str = "identity",
) -> QuerySet[Station]:
    """The station list page: `station_list_for` filtered, searched and sorted.

    `search` matches identity, name, vendor, model and serial numbers (contains, any case);
    `status` the station's own status or any of its connectors'. A fixed number of queries
    for a page, whatever its rows: the count, the page, EVSEs, connectors.
    """
    stations = station_list_for(user=user, site_id=site_id, online=online)
    if search:
        stations = stations.filter(
            Q(identity__icontains=search)
            | Q(name__icontains=search)
            | Q(vendor__icontains=search)
            | Q(model__icontains=search)
            | Q(serial_number__icontains=search)
            | Q(charge_box_serial_number__icontains=search)
        )
    if status:
        stations = stations.filter(
            Q(status=status)
            | Exists(Connector.objects.filter(evse__station=OuterRef("pk"), status=status))
        )
    if ocpp_version:
        stations = stations.filter(ocpp_version=ocpp_version)
    descending = sort.startswith("-")
    field = STATION_SORTS.get(sort.removeprefix("-"), "identity")
    order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return stations.order_by(order, "identity")


@dataclass(frozen=True, slots=True)
class CurrentSession:
    transaction: Transaction
    # Energy delivered so far: the newest import register reading minus the start value.
    energy_wh: Decimal | None

    @property
    def energy_kwh(self) -> Decimal | None:
        return None if self.energy_wh is None else self.energy_wh / 1000


def current_sessions_for_station(*, station_id: int) -> list[CurrentSession]:
    """Active sessions of the station with their energy so far, in one query.

    2.x sessions carry their newest register reading (meter_stop_wh); a 1.6 session's comes
    from its newest meter value (Uses index: meter value (transaction, timestamp)).
    """
    newest = MeterValue.objects.filter(transaction=OuterRef("pk")).order_by("-timestamp", "-pk")
    transactions = (
        Transaction.objects.filter(station_id=station_id, state=Transaction.State.ACTIVE)
        .select_related("evse", "connector", "id_token")
        .annotate(newest_samples=Subquery(newest.values("sampled_values")[:1]))
        .order_by("started_at", "pk")
    )
    sessions = []
    for tx in transactions:
        reading = tx.meter_stop_wh
        if reading is None:
            reading = meter_series.read(tx.newest_samples or []).energy_wh
        energy = None
        if reading is not None and tx.meter_start_wh is not None:
            energy = reading - tx.meter_start_wh
        sessions.append(CurrentSession(transaction=tx, energy_wh=energy))
    return sessions


def variable_row_for_station(*, station_id: int, variable_id: int) -> VariableRow:
    """One row of `variables_for_station`; Http404 when the variable is not the station's."""
    variable = (
        Variable.objects.filter(component__station_id=station_id, pk=variable_id)
        .select_related("component")
        .prefetch_related("attributes")
        .first()
    )
    if variable is None:
        raise Http404("No variable has this id.")
    return VariableRow(
        component=variable.component,
        variable=variable,
        attributes={attribute.type: attribute for attribute in variable.attributes.all()},
    )


def station_commands_recent(*, station_id: int) -> QuerySet[Command]:
    """The newest commands sent to the station (Uses index: command (station, -created_at))."""
    return (
        Command.objects.filter(station_id=station_id)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:STATION_PAGE_COMMANDS]
    )


def station_jobs_recent(*, station_id: int) -> QuerySet[StationJob]:
    return (
        StationJob.objects.filter(station_id=station_id)
        .select_related("firmware")
        .order_by("-created_at", "-pk")[:STATION_PAGE_JOBS]
    )


def station_security_events_recent(*, station_id: int) -> QuerySet[SecurityEvent]:
    return SecurityEvent.objects.filter(station_id=station_id).order_by("-timestamp", "-pk")[
        :STATION_PAGE_SECURITY_EVENTS
    ]


def station_frames_recent(*, identity: str, action: str = "") -> QuerySet[MessageLog]:
    """The newest OCPP frames of the station, optionally of one action (any case).

    Uses index: message log (station_identity, -created_at).
    """
    frames = MessageLog.objects.filter(station_identity=identity)
    if action:
        frames = frames.filter(action__iexact=action)
    return frames.order_by("-created_at", "-id")[:STATION_PAGE_FRAMES]
