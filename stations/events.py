"""The domain events of the charging core: what happened to a station or a charge, in
version-neutral terms.

The core announces; the features that react subscribe in their `AppConfig.ready` (the live
pages, the driver portal, reservations; later billing and load management). The core never
imports a subscriber: this module is the whole contract between them.

    from stations import events

    @events.subscriber(events.TransactionEnded)
    def on_ended(event: events.TransactionEnded) -> None: ...

**Delivery.** `announce` delivers an event once the database change it describes commits
(at once outside a transaction). A subscriber that raises is logged and does not stop the
others or fail the change: it is already stored. An event nobody subscribes to costs nothing.

**In the answer's path.** Delivery runs in the thread that handled the charger's message,
after its commit and before the answer is written. Every subscriber must therefore be cheap:
no query on the hot events (meter values, transaction updated, status, connections); work that
needs the database goes to Celery (eager in the quick start) or to a batched publisher.
The hot events, per charging station and minute many times: `MeterValuesStored`,
`TransactionUpdated`, `ConnectorStatusReported`, `AuthorizationDecided`. The others come a
few times per session or connection.

**Questions.** Where the answer itself needs another domain's word, the core asks a declared
question instead (`stations.questions`), never an event.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import structlog
from django.db import transaction
from django.dispatch import Signal

from stations.services.types import MeterReading

log = structlog.get_logger(__name__)

E = TypeVar("E")


# --- stations --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StationBooted:
    """A BootNotification was answered; `accepted` is the registration status given."""

    station_id: int
    accepted: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class StationOnline:
    """A station's socket was opened (or taken over by another server process)."""

    station_id: int


@dataclass(frozen=True, slots=True)
class StationOffline:
    """A station's last socket closed, or its server process stopped answering."""

    station_id: int


@dataclass(frozen=True, slots=True)
class ConnectorStatusReported:
    """A status notification was stored; `applied` False: a late replay, older than the
    status in force, kept in the history only. `evse_id` None: the station itself."""

    station_id: int
    evse_id: int | None
    connector_id: int | None
    status: str
    error_code: str
    at: datetime
    applied: bool


@dataclass(frozen=True, slots=True)
class SecurityEventRecorded:
    """A security event a station reported, or one the back office raised about it."""

    station_id: int
    type: str
    at: datetime
    raised_by_backoffice: bool


# --- authorization and transactions ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuthorizationDecided:
    """An id token was judged for a station (Authorize, a start, a token arriving mid-session).
    `token_pk` is the known token's row, None for a token we do not know."""

    station_id: int
    id_token: str
    status: str
    token_pk: int | None


@dataclass(frozen=True, slots=True)
class TransactionStarted:
    """A session began (once). `driver_id` is the user its id token belongs to (None: no token
    yet, or nobody's); a token that arrives later comes with `TransactionUpdated.token_added`."""

    station_id: int
    transaction_pk: int
    evse_id: int | None
    id_tag: str
    driver_id: int | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class TransactionUpdated:
    """Any change to a session's row: its start and its end included (announced after
    `TransactionStarted`, before `TransactionEnded`). `charging_state` is the station's
    charging state when it reports one ("" otherwise), `previous_charging_state` the one
    before this change."""

    station_id: int
    transaction_pk: int
    driver_id: int | None
    # The session's id token arrived with this change (2.x: in an event after the start).
    token_added: bool
    charging_state: str
    previous_charging_state: str
    at: datetime | None


@dataclass(frozen=True, slots=True)
class TransactionEnded:
    """A session ended (the first time only), with its totals as stored."""

    station_id: int
    transaction_pk: int
    driver_id: int | None
    stopped_at: datetime | None
    energy_wh: Decimal | None
    stop_reason: str
    # The station stopped at a limit it was told ("energy", "time", "cost"), else "".
    stopped_at_limit: str = ""


@dataclass(frozen=True, slots=True)
class MeterValuesStored:
    """One frame of meter values was stored. `transaction_pk` None: station or EVSE meters
    outside a session (EVSE 0 is the grid connection). `readings` exclude values taken after
    the session ended."""

    station_id: int
    evse_id: int
    transaction_pk: int | None
    driver_id: int | None
    readings: tuple[MeterReading, ...]


@dataclass(frozen=True, slots=True)
class ReservationStatusReported:
    """A station reported on a reservation it holds (2.x ReservationStatusUpdate)."""

    station_id: int
    reservation_id: int
    status: str


@dataclass(frozen=True, slots=True)
class ReservationUsed:
    """A session started on a reservation (1.6 reservationId, 2.x TransactionEvent)."""

    station_id: int
    reservation_id: int
    transaction_pk: int


# --- commands --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommandFinished:
    """A command to a station was answered, refused (CALLERROR), timed out or found the
    station offline; its row holds the outcome."""

    station_id: int
    command_id: int
    state: str


EVENTS: tuple[type, ...] = (
    StationBooted,
    StationOnline,
    StationOffline,
    ConnectorStatusReported,
    SecurityEventRecorded,
    AuthorizationDecided,
    TransactionStarted,
    TransactionUpdated,
    TransactionEnded,
    MeterValuesStored,
    ReservationStatusReported,
    ReservationUsed,
    CommandFinished,
)
_SIGNALS: dict[type, Signal] = {event: Signal() for event in EVENTS}


def subscriber(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Subscribe the decorated function to `event_type` (call it from `AppConfig.ready`, or
    in a module that `ready` imports)."""

    def connect(receiver: Callable[[E], None]) -> Callable[[E], None]:
        subscribe(event_type, receiver)
        return receiver

    return connect


def subscribe(event_type: type[E], receiver: Callable[[E], None]) -> None:
    def deliver(sender: Any, event: E, **kwargs: Any) -> None:
        receiver(event)

    # Strong reference: `deliver` lives only here. The uid makes subscribing twice harmless.
    uid = f"{receiver.__module__}.{receiver.__qualname__}"
    _SIGNALS[event_type].connect(deliver, weak=False, dispatch_uid=uid)


def announce(event: object) -> None:
    """Deliver `event` to its subscribers once the current database transaction commits."""
    signal = _SIGNALS[type(event)]
    if not signal.has_listeners():
        return
    transaction.on_commit(functools.partial(_deliver, signal, event))


def _deliver(signal: Signal, event: object) -> None:
    for receiver, outcome in signal.send_robust(sender=type(event), event=event):
        if isinstance(outcome, Exception):
            log.error(
                "events.subscriber_failed",
                event=type(event).__name__,
                subscriber=getattr(receiver, "__qualname__", repr(receiver)),
                exc_info=outcome,
            )
