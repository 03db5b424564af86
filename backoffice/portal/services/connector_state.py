"""Whether a driver can start at a connector now and, when not, why, in words they read on
their phone: what the start page shows and what `charging.start` checks first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.accounts.models import IdToken
from reservations.models import Reservation
from stations.models import Connector, Station, Transaction
from stations.services.charging import connections

# Connector and station statuses of every version, as the driver sees them.
STARTABLE = frozenset({"Available", "Preparing"})
OCCUPIED = frozenset({"Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"})
# 2.x: a cable is plugged in. Somebody charges only when a session there has a token; a car
# plugged in and waiting for authorization (perhaps the driver's own) can be started.
PLUGGED_IN = "Occupied"
FAULTED = "Faulted"
UNAVAILABLE = "Unavailable"
RESERVED = "Reserved"


class Reason:
    """Why a connector can or cannot be started (`ChargingUnavailable.reason`)."""

    AVAILABLE = "available"
    OFFLINE = "offline"
    OCCUPIED = "occupied"
    FAULTED = "faulted"
    UNAVAILABLE = "unavailable"
    RESERVED = "reserved"
    PRIVATE = "private"
    UNKNOWN = "unknown"
    ALREADY_CHARGING = "already_charging"
    APP_TOKEN_BLOCKED = "app_token_blocked"  # noqa: S105 - a reason code


# Driver-facing messages, by reason (tests import them).
MESSAGES = {
    Reason.AVAILABLE: _("The connector is free: plug in your car and start charging."),
    Reason.OFFLINE: _(
        "The charger is offline at the moment, so it cannot be started from here. "
        "Try again later or use a card at the charger."
    ),
    Reason.OCCUPIED: _("Someone is charging at this connector. Choose another one."),
    Reason.FAULTED: _("This connector is out of order. Choose another one."),
    Reason.UNAVAILABLE: _("This connector is not in service at the moment. Choose another one."),
    Reason.RESERVED: _("This connector is reserved for another driver. Choose another one."),
    Reason.PRIVATE: _("This charger is private: it does not accept the app."),
    Reason.UNKNOWN: _("This charger has not reported this connector. Choose another one."),
    Reason.ALREADY_CHARGING: _("You are already charging here (or your start is on its way)."),
}


@dataclass(frozen=True, slots=True)
class ConnectorState:
    station: Station
    evse_id: int
    connector_id: int
    online: bool
    # The status as the station last reported it ("" when it never did).
    status: str
    startable: bool
    reason: str
    message: str
    # A reservation of the user's own token holds the connector: the start uses that token.
    reserved_for_user: Reservation | None = None


def connector_state(
    *, station_id: int, evse_id: int, connector_id: int, user: Any = None
) -> ConnectorState:
    """Whether the connector can be started now and, if not, why (offline first, then the
    station's own status, then the connector's). With `user`, a reservation of their own
    token does not count against them, and a private site is checked for their app token.
    Raises Station.DoesNotExist for an unknown station pk.
    """
    station = Station.objects.select_related("site").get(pk=station_id)
    online = connections.is_online(station_id=station_id)
    connector = (
        Connector.objects.filter(
            evse__station_id=station_id, evse__evse_id=evse_id, connector_id=connector_id
        )
        .only("status")
        .first()
    )
    status = connector.status if connector is not None else ""
    own_reservation = None

    def state(reason: str) -> ConnectorState:
        return ConnectorState(
            station=station,
            evse_id=evse_id,
            connector_id=connector_id,
            online=online,
            status=status,
            startable=reason == Reason.AVAILABLE,
            reason=reason,
            message=str(MESSAGES[reason]),
            reserved_for_user=own_reservation,
        )

    if not online:
        return state(Reason.OFFLINE)
    if not station.is_active or station.registration_status != Station.Registration.ACCEPTED:
        return state(Reason.UNAVAILABLE)
    # 1.6 connector 0: the station as a whole.
    if station.status == FAULTED:
        return state(Reason.FAULTED)
    if station.status == UNAVAILABLE:
        return state(Reason.UNAVAILABLE)
    if connector is None or not status:
        return state(Reason.UNKNOWN)
    if status == FAULTED:
        return state(Reason.FAULTED)
    if status == UNAVAILABLE:
        return state(Reason.UNAVAILABLE)
    if status in OCCUPIED or (status == PLUGGED_IN and _authorized_session_at(station_id, evse_id)):
        return state(Reason.OCCUPIED)
    reservation = _active_reservation(station_id, evse_id)
    if status == RESERVED or reservation is not None:
        if reservation is None or not _owns(user, reservation):
            return state(Reason.RESERVED)
        own_reservation = reservation
    if status not in STARTABLE and status not in (RESERVED, PLUGGED_IN):
        return state(Reason.UNKNOWN)
    if user is not None and own_reservation is None and not _site_accepts_app(station, user):
        return state(Reason.PRIVATE)
    return state(Reason.AVAILABLE)


def is_online(station_id: int) -> bool:
    return connections.is_online(station_id=station_id)


# --- helpers ---------------------------------------------------------------------------------


def _authorized_session_at(station_id: int, evse_id: int) -> bool:
    return (
        Transaction.objects.filter(
            station_id=station_id, evse__evse_id=evse_id, state=Transaction.State.ACTIVE
        )
        .exclude(id_tag="")
        .exists()
    )


def _active_reservation(station_id: int, evse_id: int) -> Reservation | None:
    return (
        Reservation.objects.filter(
            station_id=station_id,
            status=Reservation.Status.ACCEPTED,
            expires_at__gt=timezone.now(),
            evse_id=evse_id,
        )
        .select_related("id_token")
        .first()
    )


def _owns(user: Any, reservation: Reservation) -> bool:
    return (
        user is not None
        and reservation.id_token is not None
        and reservation.id_token.user_id == getattr(user, "pk", None)
    )


def _site_accepts_app(station: Station, user: Any) -> bool:
    site = station.site
    if site is None or site.accepts_all_tokens:
        return True
    app = IdToken.objects.filter(app_of__user=user).first()
    return app is not None and site.allowed_id_tokens.filter(pk=app.pk).exists()
