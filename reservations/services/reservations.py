"""ReserveNow and CancelReservation, version-neutral (OCPP 1.6, 2.0.1, 2.1).

`reserve_now` opens the Reservation first, committed, with a fresh reservation id (so the
station's follow-ups, a transaction started with it or a 2.x ReservationStatusUpdate, find
it even before the answer is recorded), then sends the command and records the station's
answer on it, with the audit row. No EVSE means any EVSE. What the station's version cannot
express is refused by its adapter before anything is kept. The command bus's errors pass
through unchanged, after the reservation has recorded them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from backoffice.accounts.models import IdToken
from backoffice.audit import services as audit
from reservations.models import Reservation
from stations.exceptions import CommandError, CommandInvalid, CommandTimeout
from stations.models import Command
from stations.services.commands import adapters, outbound, requests
from stations.services.commands.bus import SYSTEM, Answered, Caller

_INT32_MAX = 2**31 - 1
# The station's ReserveNow answer, as the reservation's status.
_ANSWERS = {
    "Accepted": Reservation.Status.ACCEPTED,
    "Rejected": Reservation.Status.REJECTED,
    "Faulted": Reservation.Status.FAULTED,
    "Occupied": Reservation.Status.OCCUPIED,
    "Unavailable": Reservation.Status.UNAVAILABLE,
}

EXPIRY_IN_THE_PAST = "A reservation expires in the future."
UNKNOWN_RESERVATION = "This station has no reservation with this id."
RESERVATION_NOT_ACTIVE = "This reservation has already ended: there is nothing to cancel."
NEGATIVE_EVSE = "EVSE ids are 1 or more; leave the EVSE out to reserve any EVSE."


@dataclass(frozen=True, slots=True)
class ReservationResult(Answered):
    """The command and the reservation it concerns; `status` is the station's answer."""

    command: Command
    status: str
    reservation: Reservation


# --- services --------------------------------------------------------------------------------


def reserve_now(
    *,
    station_id: int,
    id_token: str,
    expires_at: datetime,
    evse_id: int | None = None,
    connector_type: str | None = None,
    group_id_token: str | None = None,
    caller: Caller = SYSTEM,
) -> ReservationResult:
    """Ask the station to hold an EVSE (None: any) for `id_token` until `expires_at`.

    The group token defaults to the id token's own group. Raises CommandInvalid (nothing
    kept) for what the station's version cannot express.
    """
    version = adapters.station_version(station_id)
    if expires_at <= timezone.now():
        raise CommandInvalid(EXPIRY_IN_THE_PAST, field="expires_at")
    token = IdToken.objects.filter(id_token=id_token).first()
    group = group_id_token or (token.group_id_token if token else "") or None
    too_long = group is not None and len(group) > adapters.traits(version).id_token_max
    if not group_id_token and too_long:
        # A token's own group the version cannot carry is left out, not a refusal.
        group = None
    group_token = IdToken.objects.filter(id_token=group).first() if group else None
    reservation_id = _free_reservation_id()
    if evse_id is not None and evse_id < 1:
        raise CommandInvalid(NEGATIVE_EVSE, field="evse_id")
    request = requests.ReserveNow(
        reservation_id=reservation_id,
        id_token=id_token,
        id_token_type=token.type if token else IdToken.Type.CENTRAL,
        expires_at=expires_at,
        evse_id=evse_id,
        connector_type=connector_type,
        group_id_token=group,
        group_id_token_type=group_token.type if group_token else IdToken.Type.CENTRAL,
    )
    # Built once first: what the version cannot express leaves no reservation behind.
    adapters.build(version=version, request=request)
    # Committed before the command goes out: the station's follow-ups must find it.
    with transaction.atomic():
        reservation = Reservation.objects.create(
            station_id=station_id,
            evse_id=evse_id,
            connector_type=connector_type or "",
            id_token=token,
            id_tag=id_token,
            group_id_tag=group or "",
            expires_at=expires_at,
            reservation_id=reservation_id,
        )
    try:
        command = outbound.send(station_id=station_id, request=request, caller=caller).command
    except CommandError as err:
        _undelivered(reservation, err, caller)
        raise
    status = command.result_status
    _settle(reservation, command, _ANSWERS.get(status, Reservation.Status.FAILED), caller)
    return ReservationResult(command, status, reservation)


def cancel(*, station_id: int, reservation_id: int, caller: Caller = SYSTEM) -> ReservationResult:
    """Ask the station to drop a reservation (CancelReservation); `reservation_id` is the id
    the station knows. When it accepts, the reservation is cancelled; Rejected means the
    station no longer holds it, and its status stays as recorded."""
    reservation = Reservation.objects.filter(
        station_id=station_id, reservation_id=reservation_id
    ).first()
    if reservation is None:
        raise CommandInvalid(UNKNOWN_RESERVATION, field="reservation_id")
    if not reservation.active:
        raise CommandInvalid(RESERVATION_NOT_ACTIVE, field="reservation_id")
    request = requests.CancelReservation(reservation_id=reservation_id)
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
    with transaction.atomic():
        # Locked: the station may report the reservation used or expired meanwhile.
        reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
        reservation.cancel_command = command
        fields = ["cancel_command", "updated_at"]
        if command.result_status == "Accepted" and reservation.active:
            reservation.status = Reservation.Status.CANCELLED
            reservation.ended_at = timezone.now()
            fields += ["status", "ended_at"]
            audit.record(
                action="reservations.cancel",
                actor=caller.user,
                actor_label=caller.label,
                target=reservation,
                data={"station_id": station_id, "command_id": command.pk},
            )
        reservation.save(update_fields=fields)
    return ReservationResult(command, command.result_status, reservation)


# --- helpers ---------------------------------------------------------------------------------


def _free_reservation_id() -> int:
    # Random, not a sequence, so one station cannot guess another's reservations; the unique
    # constraint catches the (one in two billion) race between two draws of the same id.
    while True:
        candidate = secrets.randbelow(_INT32_MAX) + 1
        if not Reservation.objects.filter(reservation_id=candidate).exists():
            return candidate


def _undelivered(reservation: Reservation, err: CommandError, caller: Caller) -> None:
    if err.command is None:
        # Invalid for the station's schema: nothing was sent, so nothing is kept either.
        reservation.delete()
        return
    # A timeout leaves it requested: the station may hold it without having said so, and it
    # ends like an accepted one (used, cancelled or expired).
    status = None if isinstance(err, CommandTimeout) else Reservation.Status.FAILED
    _settle(reservation, err.command, status, caller)


def _settle(reservation: Reservation, command: Command, status: str | None, caller: Caller) -> None:
    """Record the ReserveNow's outcome, and the reservation in the audit trail, once it was
    sent (a reservation refused before sending leaves no trace but its error)."""
    with transaction.atomic():
        # Locked: a transaction started with this reservation may have marked it used already.
        row = Reservation.objects.select_for_update().get(pk=reservation.pk)
        row.command = command
        fields = ["command", "updated_at"]
        if status is not None and row.status == Reservation.Status.REQUESTED:
            row.status = status
            fields.append("status")
            if status != Reservation.Status.ACCEPTED:
                row.ended_at = timezone.now()
                fields.append("ended_at")
        row.save(update_fields=fields)
        audit.record(
            action="reservations.create",
            actor=caller.user,
            actor_label=caller.label,
            target=row,
            data={
                "station_id": row.station_id,
                "command_id": command.pk,
                "request": command.payload,
                "status": row.status,
            },
        )
    reservation.refresh_from_db()
