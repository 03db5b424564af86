"""Reads for pages and APIs, with their joins and prefetches (STYLE rule 3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import Http404

from backoffice.accounts import roles
from backoffice.accounts.models import IdToken
from backoffice.lib import meter_series, units
from reservations.models import Reservation
from stations.models import (
    ChargingProfile,
    Command,
    Component,
    Connector,
    DisplayMessage,
    Evse,
    FirmwareFile,
    MessageLog,
    MeterValue,
    SecurityEvent,
    Site,
    Station,
    StationJob,
    StatusEvent,
    Transaction,
    TransactionEvent,
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
            reading = _import_register_wh(tx.newest_samples or [])
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


def _import_register_wh(samples: list[dict[str, Any]]) -> Decimal | None:
    # A register without phase is the total; no measurand means the import register.
    for sample in samples:
        measurand = sample.get("measurand") or "Energy.Active.Import.Register"
        if measurand == "Energy.Active.Import.Register" and not sample.get("phase"):
            value = units.parse_decimal(sample.get("value", ""))
            return units.to_wh(value, sample.get("unit")) if value is not None else None
    return None


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
    with_register = newest.filter(
        sampled_values__contains=[{"measurand": meter_series.ENERGY_IMPORT_REGISTER}]
    )
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


# --- remote commands panel (station page) ----------------------------------------------------
# What the command forms offer to pick from; each list is one query, read only when a form
# asks for it (a POST builds one form).

ID_TOKEN_SUGGESTIONS = 20
FIRMWARE_CHOICES = 50


class CommandOptions:
    """The station's EVSEs (from `station_for`'s prefetch), running sessions, active
    reservations, installed charging profiles, display messages and the firmware files."""

    def __init__(self, station: Station) -> None:
        self.station = station

    @cached_property
    def evses(self) -> list[tuple[int, list[int]]]:
        return [
            (evse.evse_id, [connector.connector_id for connector in evse.connectors.all()])
            for evse in self.station.evses.all()
        ]

    @cached_property
    def sessions(self) -> list[Transaction]:
        return list(
            Transaction.objects.filter(station=self.station, state=Transaction.State.ACTIVE)
            .select_related("evse")
            .order_by("-started_at", "-pk")
        )

    @cached_property
    def reservations(self) -> list[Reservation]:
        return list(
            Reservation.objects.filter(
                station=self.station, status__in=Reservation.ACTIVE
            ).order_by("expires_at")
        )

    @cached_property
    def installed_profiles(self) -> list[ChargingProfile]:
        return list(
            ChargingProfile.objects.filter(
                station=self.station, state=ChargingProfile.State.INSTALLED
            ).order_by("evse_id", "profile_id")
        )

    @cached_property
    def next_profile_id(self) -> int:
        """A charging profile id the station has not been given yet."""
        highest = ChargingProfile.objects.filter(station=self.station).aggregate(
            highest=Max("profile_id")
        )["highest"]
        return (highest or 0) + 1

    @cached_property
    def display_messages(self) -> list[DisplayMessage]:
        return list(
            DisplayMessage.objects.filter(station=self.station)
            .exclude(status=DisplayMessage.Status.CLEARED)
            .order_by("message_id")
        )

    @cached_property
    def firmware_files(self) -> list[FirmwareFile]:
        return list(FirmwareFile.objects.order_by("-uploaded_at")[:FIRMWARE_CHOICES])


def id_tokens_matching(*, query: str) -> list[IdToken]:
    """Id tokens whose value or label contains `query` (the first ones by value)."""
    query = query.strip()
    if not query:
        return []
    return list(
        IdToken.objects.filter(Q(id_token__icontains=query) | Q(label__icontains=query))
        .only("id_token", "label")
        .order_by("id_token")[:ID_TOKEN_SUGGESTIONS]
    )
