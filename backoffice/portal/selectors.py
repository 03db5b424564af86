"""Every read of the driver's pages and API, scoped to the driver (DESIGN §4).

A driver's sessions are the transactions charged with one of their id tokens or started from
their portal (their DriverSession). Anything else is not found (Http404), whatever the user's
staff role: staff who charge see their own sessions here, like any driver.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from backoffice.accounts.models import DriverProfile, IdToken
from backoffice.lib import meter_series
from backoffice.portal.models import DriverSession, Notification
from backoffice.portal.services import cost, session_watch
from stations.models import Connector, Evse, MeterValue, Site, Station, Transaction
from stations.services.charging import connections

# A start the station accepted counts as pending (waiting for the car) as long as a session
# starting at the station can still be linked to it.
PENDING_START_WINDOW = session_watch.LINK_WINDOW


@dataclass(frozen=True, slots=True)
class SessionView:
    """One of the driver's sessions with what the pages show (live while it runs)."""

    transaction: Transaction
    # The portal side (limits, notifications given); None for a card session never seen by it.
    driver_session: DriverSession | None
    # Delivered so far (running) or in all (ended).
    energy_wh: Decimal | None
    duration: timedelta | None
    # The newest values the station reported; None when it never did (or the session ended).
    soc_percent: Decimal | None
    power_w: Decimal | None
    # So far (running) or in all, gross (`services.cost`); None until tariffs exist.
    cost: Decimal | None

    @property
    def active(self) -> bool:
        return self.transaction.state == Transaction.State.ACTIVE

    @property
    def energy_kwh(self) -> Decimal | None:
        return None if self.energy_wh is None else self.energy_wh / 1000

    @property
    def power_kw(self) -> Decimal | None:
        return None if self.power_w is None else self.power_w / 1000


# --- sessions --------------------------------------------------------------------------------


def sessions_of(user: Any) -> QuerySet[Transaction]:
    """The user's sessions (unordered, unannotated), for filtering and existence checks."""
    if not getattr(user, "is_authenticated", False):
        return Transaction.objects.none()
    return Transaction.objects.filter(
        Q(id_token__user=user) | Q(driver_session__user=user)
    ).distinct()


def history(
    user: Any,
    *,
    state: str = "",
    station: str = "",
    started_after: datetime | None = None,
    started_before: datetime | None = None,
) -> QuerySet[Transaction]:
    """The user's sessions, newest first, with station, site, EVSE, connector and their
    DriverSession; filters: state, station id (exact), start time (after <= start < before).
    Turn a page of it into SessionViews with `views_of`."""
    sessions = Transaction.objects.filter(pk__in=sessions_of(user).values("pk")).select_related(
        "station__site", "evse", "connector", "id_token", "driver_session"
    )
    if state:
        sessions = sessions.filter(state=state)
    if station:
        sessions = sessions.filter(station__identity=station)
    if started_after is not None:
        sessions = sessions.filter(started_at__gte=started_after)
    if started_before is not None:
        sessions = sessions.filter(started_at__lt=started_before)
    return sessions.order_by("-started_at", "-pk")


def active_sessions(user: Any, *, now: datetime | None = None) -> list[SessionView]:
    """The user's running sessions, oldest first, with their live values."""
    transactions = _with_readings(
        history(user, state=Transaction.State.ACTIVE).order_by("started_at", "pk")
    )
    return [_view(tx, now=now) for tx in transactions]


def views_of(
    transactions: Iterable[Transaction], *, now: datetime | None = None
) -> list[SessionView]:
    """SessionViews of some of the user's sessions (a page of `history`), one more query."""
    pks = [tx.pk for tx in transactions]
    annotated = {
        tx.pk: tx
        for tx in _with_readings(
            Transaction.objects.filter(pk__in=pks).select_related(
                "station__site", "evse", "connector", "id_token", "driver_session"
            )
        )
    }
    return [_view(annotated[pk], now=now) for pk in pks if pk in annotated]


def session_for(user: Any, pk: int, *, now: datetime | None = None) -> SessionView:
    """One of the user's sessions with its live values; Http404 for anybody else's."""
    tx = _with_readings(history(user).filter(pk=pk)).first()
    if tx is None:
        raise Http404("No session has this id.")
    return _view(tx, now=now)


def own_transaction(user: Any, pk: int) -> Transaction:
    """One of the user's sessions, bare (for commands); Http404 for anybody else's."""
    tx = history(user).filter(pk=pk).first()
    if tx is None:
        raise Http404("No session has this id.")
    return tx


def pending_starts(user: Any, *, now: datetime | None = None) -> QuerySet[DriverSession]:
    """Starts from the portal the station accepted, waiting for the car (no session yet)."""
    since = (now or timezone.now()) - PENDING_START_WINDOW
    return (
        DriverSession.objects.filter(
            user=user,
            transaction__isnull=True,
            start_status=DriverSession.StartStatus.ACCEPTED,
            created_at__gte=since,
        )
        .select_related("station__site", "start_command")
        .order_by("-created_at")
    )


def driver_session_for(user: Any, pk: int) -> DriverSession:
    """One DriverSession of the user (by its own pk); Http404 for anybody else's."""
    session = DriverSession.objects.filter(user=user, pk=pk).select_related("station").first()
    if session is None:
        raise Http404("No session has this id.")
    return session


# --- tokens, notifications, profile ----------------------------------------------------------


def tokens_for(user: Any) -> QuerySet[IdToken]:
    """The user's id tokens (cards and app token), by value."""
    if not getattr(user, "is_authenticated", False):
        return IdToken.objects.none()
    return IdToken.objects.filter(user=user).order_by("id_token", "pk")


def token_for(user: Any, pk: int) -> IdToken:
    token = tokens_for(user).filter(pk=pk).first()
    if token is None:
        raise Http404("No id token has this id.")
    return token


def app_token_of(user: Any) -> IdToken | None:
    """The Central token portal starts use, when the user has one yet."""
    return tokens_for(user).filter(app_of__user=user).first()


def notifications_for(user: Any, *, unread: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first (optionally only the unread ones)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    notifications = Notification.objects.filter(user=user)
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def notification_for(user: Any, pk: int) -> Notification:
    notification = notifications_for(user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No notification has this id.")
    return notification


def unread_count(user: Any) -> int:
    return notifications_for(user, unread=True).count()


def profile_of(user: Any) -> DriverProfile | None:
    """The user's DriverProfile, when made (services.drivers.ensure_profile makes it)."""
    return DriverProfile.objects.filter(user=user).select_related("app_token").first()


# --- where to charge -------------------------------------------------------------------------


def _startable_stations() -> QuerySet[Station]:
    return Station.objects.filter(is_active=True, registration_status=Station.Registration.ACCEPTED)


def startable_sites() -> QuerySet[Site]:
    """Sites with at least one registered, active station, by name."""
    return Site.objects.filter(Exists(_startable_stations().filter(site=OuterRef("pk")))).order_by(
        "name"
    )


def startable_stations(site: Site | int) -> QuerySet[Station]:
    """The site's registered, active stations, annotated `online`, with EVSEs and connectors."""
    site_id = site if isinstance(site, int) else site.pk
    return (
        _startable_stations()
        .filter(site_id=site_id)
        .annotate(online=Exists(connections.live().filter(station=OuterRef("pk"))))
        .prefetch_related(
            Prefetch(
                "evses",
                queryset=Evse.objects.order_by("evse_id").prefetch_related(
                    Prefetch("connectors", queryset=Connector.objects.order_by("connector_id"))
                ),
            )
        )
        .order_by("identity")
    )


def startable_station(identity: str) -> Station:
    """A station drivers may start at, by its id (the QR link); Http404 otherwise."""
    station = _startable_stations().select_related("site").filter(identity=identity).first()
    if station is None:
        raise Http404("No station has this id.")
    return station


def startable_connectors(station: Station | int) -> QuerySet[Connector]:
    """The station's connectors by EVSE and connector id (with `evse`)."""
    station_id = station if isinstance(station, int) else station.pk
    return (
        Connector.objects.filter(evse__station_id=station_id)
        .select_related("evse")
        .order_by("evse__evse_id", "connector_id")
    )


# --- helpers ---------------------------------------------------------------------------------


def _newest(measurand: str | None = None) -> QuerySet[MeterValue]:
    # Uses index: meter value (transaction, timestamp).
    newest = MeterValue.objects.filter(transaction=OuterRef("pk")).order_by("-timestamp", "-pk")
    if measurand is not None:
        newest = newest.holding(measurand)
    return newest


def _with_readings(transactions: QuerySet[Transaction]) -> QuerySet[Transaction]:
    return transactions.annotate(
        register_samples=Subquery(
            _newest(meter_series.ENERGY_IMPORT_REGISTER).values("sampled_values")[:1]
        ),
        newest_samples=Subquery(_newest().values("sampled_values")[:1]),
        soc_samples=Subquery(_newest(meter_series.STATE_OF_CHARGE).values("sampled_values")[:1]),
        power_samples=Subquery(_newest(meter_series.POWER_IMPORT).values("sampled_values")[:1]),
    )


def _view(tx: Any, *, now: datetime | None) -> SessionView:
    now = now or timezone.now()
    active = tx.state == Transaction.State.ACTIVE
    energy = tx.energy_wh
    if active or energy is None:
        reading = meter_series.read(tx.register_samples or tx.newest_samples or []).energy_wh
        if reading is not None and tx.meter_start_wh is not None:
            energy = reading - tx.meter_start_wh
    duration = None
    if tx.started_at is not None:
        end = tx.stopped_at or (now if active else None)
        duration = end - tx.started_at if end is not None else None
    soc = meter_series.read(tx.soc_samples or []).soc_percent
    power = meter_series.read(tx.power_samples or []).power_w if active else None
    try:
        driver_session = tx.driver_session
    except DriverSession.DoesNotExist:
        driver_session = None
    return SessionView(
        transaction=tx,
        driver_session=driver_session,
        energy_wh=energy,
        duration=duration,
        soc_percent=soc,
        power_w=power,
        cost=cost.cost_so_far(tx),
    )
