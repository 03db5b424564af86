"""Start and stop charging from the portal (or the driver API), with the driver's app token.

`start` checks the connector (`connector_state`, re-exported here for the views), makes the
DriverSession (where the session's limits live) and sends the remote start as the driver; the
session's `start_status` records how that went. `stop` sends the remote stop of the driver's
own active session.

The app token is one Central-type IdToken per driver, made on first start: its value is at most
20 characters (a 1.6 idTag) and random, and it allows concurrent sessions because the portal
checks the connector itself (a driver may charge two cars).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backoffice.accounts.exceptions import IdTokenInvalid
from backoffice.accounts.models import DriverProfile, IdToken
from backoffice.accounts.services import drivers, id_tokens
from backoffice.audit import services as audit
from backoffice.portal import selectors
from backoffice.portal.models import DriverSession
from backoffice.portal.services import limits
from stations.exceptions import CommandInvalid, CommandTimeout, StationNotConnected
from stations.models import Command, Transaction
from stations.services.commands import remote
from stations.services.commands.bus import Caller
from stations.services.commands.remote import CommandResult

# Re-exported: the start views, the API and tests read the connector's state from here.
from .connector_state import MESSAGES as MESSAGES
from .connector_state import ConnectorState as ConnectorState
from .connector_state import Reason as Reason
from .connector_state import connector_state as connector_state
from .connector_state import is_online as is_online

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

CALLER_LABEL = "portal"
APP_TOKEN_PREFIX = "APP-"  # noqa: S105 - a prefix, not a secret
# 1.6 idTag is CiString20: the app token must fit every version.
APP_TOKEN_LENGTH = 20
StartStatus = DriverSession.StartStatus

START_REJECTED = _(
    "The charger refused to start. Check the cable and try again, or choose another connector."
)
START_OFFLINE = _("The charger went offline before it could be started. Try again later.")
START_TIMEOUT = _(
    "The charger did not answer in time. If it starts anyway, your session will show up here."
)
START_ERROR = _("The charger could not take the start request. Try another connector.")
START_ACCEPTED = _("The charger accepted: plug in your car if it is not yet, and charging starts.")
APP_TOKEN_BLOCKED = _(
    "Your app token is blocked, so chargers refuse it. Unblock it under your tokens, or ask us."
)
NOT_ACTIVE = _("This session is not running.")
STOP_OFFLINE = _("The charger is offline: stop the session at the charger, or try again later.")
STOP_TIMEOUT = _("The charger did not answer in time. Try again, or stop at the charger.")


class ChargingUnavailable(Exception):
    """The connector cannot be started for this driver now; `message` says why, for them."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True, slots=True)
class StartOutcome:
    accepted: bool
    message: str
    driver_session: DriverSession
    # The remote start as recorded (None: refused before anything was sent).
    command: Command | None
    # The station's answer ("Accepted", "Rejected"), or "offline" / "timeout" / "error";
    # `driver_session.start_status` holds what it means for the session.
    status: str


def start(
    *,
    user: Any,
    station_id: int,
    evse_id: int,
    connector_id: int,
    limit_energy_wh: Decimal | int | None = None,
    limit_minutes: int | None = None,
    limit_cost: Decimal | None = None,
) -> StartOutcome:
    """Start charging for `user` at the connector with their app token (or the token their
    reservation there is for) and the limits given.

    Raises limits.LimitInvalid (with `field`) for a limit out of range, ChargingUnavailable
    (nothing sent, no DriverSession) when the connector is not startable or the user already
    charges or waits for a start at this EVSE. Otherwise the outcome says whether the station
    accepted, and the DriverSession's `start_status` records it (REQUESTED while the answer is
    on its way; only ACCEPTED ones are pending).
    """
    _check_limits(limit_energy_wh, limit_minutes, limit_cost)
    if _busy_at(user, station_id, evse_id):
        raise ChargingUnavailable(str(MESSAGES[Reason.ALREADY_CHARGING]), Reason.ALREADY_CHARGING)
    state = connector_state(
        station_id=station_id, evse_id=evse_id, connector_id=connector_id, user=user
    )
    if not state.startable:
        raise ChargingUnavailable(state.message, state.reason)
    with transaction.atomic():
        profile = _locked_profile(user)
        # Under the profile lock: two starts of one driver (a double tap) are serialised.
        if _busy_at(user, station_id, evse_id):
            raise ChargingUnavailable(
                str(MESSAGES[Reason.ALREADY_CHARGING]), Reason.ALREADY_CHARGING
            )
        if state.reserved_for_user is not None:
            id_tag = state.reserved_for_user.id_tag
        else:
            app = _app_token(profile, user)
            if app.status != IdToken.Status.ACCEPTED:
                # The station would refuse it at the start: say why now.
                raise ChargingUnavailable(str(APP_TOKEN_BLOCKED), Reason.APP_TOKEN_BLOCKED)
            id_tag = app.id_token
        session = DriverSession.objects.create(
            user=user,
            station_id=station_id,
            evse_id=evse_id,
            connector_id=connector_id,
            id_tag=id_tag,
            start_status=StartStatus.REQUESTED,
            limit_energy_wh=limit_energy_wh,
            limit_minutes=limit_minutes,
            limit_cost=limit_cost,
        )
        audit.record(
            action="portal.session.start",
            actor=user,
            target=session,
            data={
                "station": station_id,
                "evse_id": evse_id,
                "connector_id": connector_id,
                "limit_energy_wh": _number(limit_energy_wh),
                "limit_minutes": limit_minutes,
                "limit_cost": _number(limit_cost),
            },
        )
    # Sent after the commit: the station may start (and the session watcher look for this
    # DriverSession by station and token) before the answer comes back.
    caller = Caller(user=user, label=CALLER_LABEL)
    try:
        # Started on the EVSE: the station picks the connector.
        result = remote.remote_start(
            station_id=station_id, id_token=id_tag, evse_id=evse_id, caller=caller
        )
    except StationNotConnected as err:
        return _outcome(session, err.command, StartStatus.OFFLINE, START_OFFLINE, "offline")
    except CommandTimeout as err:
        return _outcome(session, err.command, StartStatus.TIMEOUT, START_TIMEOUT, "timeout")
    except CommandInvalid as err:
        return _outcome(session, err.command, StartStatus.ERROR, START_ERROR, "error")
    command = result.command
    if result.accepted:
        return _outcome(session, command, StartStatus.ACCEPTED, START_ACCEPTED, result.status)
    if command.state == Command.State.CALL_ERROR:
        return _outcome(session, command, StartStatus.ERROR, START_ERROR, "error")
    return _outcome(session, command, StartStatus.REFUSED, START_REJECTED, result.status or "error")


def stop(*, user: Any, transaction_pk: int) -> CommandResult:
    """Ask the station to stop the user's own active session.

    Http404 when the session is not the user's; ChargingUnavailable(NOT_ACTIVE) when it has
    ended. The bus's StationNotConnected / CommandTimeout pass through.
    """
    tx = selectors.own_transaction(user, transaction_pk)
    if tx.state != Transaction.State.ACTIVE:
        raise ChargingUnavailable(str(NOT_ACTIVE), "ended")
    caller = Caller(user=user, label=CALLER_LABEL)
    try:
        result = remote.remote_stop(
            station_id=tx.station_id, transaction_id=tx.transaction_id, caller=caller
        )
    except (StationNotConnected, CommandTimeout) as err:
        _store_stop(tx.pk, err.command)
        raise
    _store_stop(tx.pk, result.command)
    return result


def ensure_app_token(*, user: Any) -> IdToken:
    """The user's app token, made (with their DriverProfile) when they have none yet."""
    with transaction.atomic():
        return _app_token(_locked_profile(user), user)


# --- helpers ---------------------------------------------------------------------------------


def _locked_profile(user: Any) -> DriverProfile:
    drivers.ensure_profile(user)
    return (
        DriverProfile.objects.select_for_update(of=("self",))
        .select_related("app_token")
        .get(user=user)
    )


def _app_token(profile: DriverProfile, user: Any) -> IdToken:
    token = profile.app_token
    if token is not None and token.user_id == user.pk:
        return token
    token = _new_app_token(user)
    IdToken.objects.filter(pk=token.pk).update(allow_concurrent_transactions=True)
    token.allow_concurrent_transactions = True
    profile.app_token = token
    profile.save(update_fields=["app_token", "updated_at"])
    return token


def _check_limits(
    energy_wh: Decimal | int | None, minutes: int | None, cost: Decimal | None
) -> None:
    # The ranges the limits service keeps to (a session not started has nothing to pass yet).
    checks = (
        (
            energy_wh,
            "energy_wh",
            limits.ENERGY_NOT_POSITIVE,
            limits.ENERGY_TOO_HIGH,
            limits.MAX_ENERGY_WH,
        ),
        (
            minutes,
            "minutes",
            limits.MINUTES_NOT_POSITIVE,
            limits.MINUTES_TOO_HIGH,
            limits.MAX_MINUTES,
        ),
        (cost, "cost", limits.COST_NOT_POSITIVE, limits.COST_TOO_HIGH, limits.MAX_COST),
    )
    for value, field, not_positive, too_high, most in checks:
        if value is None:
            continue
        if value <= 0:
            raise limits.LimitInvalid(gettext(not_positive), field)
        if value > most:
            raise limits.LimitInvalid(gettext(too_high), field)


def _new_app_token(user: Any, attempts: int = 5) -> IdToken:
    def create() -> IdToken:
        random_part = secrets.token_hex((APP_TOKEN_LENGTH - len(APP_TOKEN_PREFIX)) // 2)
        with transaction.atomic():
            return id_tokens.create(
                actor=user,
                id_token=APP_TOKEN_PREFIX + random_part.upper(),
                type=IdToken.Type.CENTRAL,
                label=str(_("App")),
                user=user,
            )

    for _attempt in range(attempts - 1):
        try:
            return create()
        except IdTokenInvalid:
            continue  # the random value is taken (about never): draw again
    return create()


def _busy_at(user: Any, station_id: int, evse_id: int) -> bool:
    """The user charges at this EVSE, or a start of theirs there is still on its way (sent
    and not yet answered, or accepted and waiting for the car)."""
    mine = selectors.sessions_of(user).filter(
        station_id=station_id, evse__evse_id=evse_id, state=Transaction.State.ACTIVE
    )
    pending = selectors.pending_starts(user).filter(station_id=station_id, evse_id=evse_id)
    in_flight = DriverSession.objects.filter(
        user=user,
        station_id=station_id,
        evse_id=evse_id,
        transaction__isnull=True,
        start_status=StartStatus.REQUESTED,
        created_at__gte=timezone.now() - _in_flight_window(),
    )
    return mine.exists() or pending.exists() or in_flight.exists()


def _in_flight_window() -> timedelta:
    # The longest a start can wait for the station's answer (the bus adds a hop).
    return timedelta(seconds=settings.OCPP_RESPONSE_TIMEOUT + 5)


def _outcome(
    session: DriverSession,
    command: Command | None,
    start_status: str,
    message: StrOrPromise,
    status: str,
) -> StartOutcome:
    with transaction.atomic():
        # Locked: the watcher may link the session (the station started) meanwhile.
        locked = DriverSession.objects.select_for_update().get(pk=session.pk)
        if command is not None:
            locked.start_command = command
        if locked.transaction_id is None:
            # A start that did not happen stays unlinked unless the station starts it late:
            # the watcher then links it by station and token and makes it ACCEPTED.
            locked.start_status = start_status
        locked.save(update_fields=["start_command", "start_status", "updated_at"])
    if locked.transaction_id is not None:
        message = START_ACCEPTED  # started already, whatever the answer said
    accepted = locked.start_status == StartStatus.ACCEPTED
    return StartOutcome(accepted, str(message), locked, command, status)


def _store_stop(transaction_pk: int, command: Command | None) -> None:
    if command is not None:
        DriverSession.objects.filter(transaction_id=transaction_pk).update(stop_command=command)


def _number(value: Decimal | int | None) -> str | None:
    return None if value is None else str(value)
