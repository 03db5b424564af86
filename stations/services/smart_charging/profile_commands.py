"""Smart charging: set, clear and read charging profiles and composite schedules.

Version-neutral: the profile is a `charging_profiles.Profile`, EVSE 0 is the whole station.
What the station accepted is kept as `ChargingProfile` rows (installed, replaced, cleared), so
operators see what each station and EVSE runs; the profiles a station reports, the follow-up of
GetChargingProfiles, are kept as reported and tied to the command that asked. The requests are
in `requests`, built and read by the station's adapter; the bus's errors pass through
unchanged (see `commands.outbound`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backoffice.audit import services as audit
from stations.models import ChargingProfile, Command, Station
from stations.services.commands import outbound
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.smart_charging.requests import (
    ClearChargingProfile,
    CompositeSchedule,
    GetChargingProfiles,
    GetCompositeSchedule,
    Profile,
    ProfileWritten,
    ReportedProfile,
    Schedule,
    SetChargingProfile,
)

log = structlog.get_logger(__name__)

ACCEPTED = "Accepted"
_INT32_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class ProfileResult:
    """The SetChargingProfile command; `profile` is the row kept when the station accepted."""

    command: Command
    status: str
    profile: ChargingProfile | None = None

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED


@dataclass(frozen=True, slots=True)
class ClearResult:
    command: Command
    status: str
    # How many installed profiles the accepted clear marked cleared.
    cleared: int = 0

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED


@dataclass(frozen=True, slots=True)
class CompositeScheduleResult:
    """The limits the station will apply on an EVSE, from `start`; None when it had none."""

    command: Command
    status: str
    evse_id: int | None = None
    start: datetime | None = None
    schedule: Schedule | None = None

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED


@dataclass(frozen=True, slots=True)
class ProfilesRequestResult:
    """GetChargingProfiles: the station reports the profiles later under `request_id`."""

    command: Command
    status: str
    request_id: int

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED


# --- services --------------------------------------------------------------------------------


def set_charging_profile(
    *, station_id: int, evse_id: int, profile: Profile, caller: Caller = SYSTEM
) -> ProfileResult:
    """Install `profile` on an EVSE (0: the whole station). When the station accepts, the
    profile is kept as installed and any profile it replaces (same id, or same EVSE, stack
    level and purpose) as replaced."""
    request = SetChargingProfile(evse_id=evse_id, profile=profile)
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    command = outcome.command
    written: ProfileWritten | None = outcome.answer
    if command.result_status != ACCEPTED or written is None:
        return ProfileResult(command, command.result_status)
    row = _install(station_id, evse_id, profile, written.profile, command, caller)
    return ProfileResult(command, command.result_status, row)


def clear_charging_profile(
    *,
    station_id: int,
    profile_id: int | None = None,
    evse_id: int | None = None,
    purpose: str | None = None,
    stack_level: int | None = None,
    caller: Caller = SYSTEM,
) -> ClearResult:
    """Clear one profile by id, or every profile matching the criteria given (none: all).

    When the station accepts, the installed profiles that match are marked cleared: by id
    alone when an id is given (the station ignores the criteria then), else by the criteria.
    """
    request = ClearChargingProfile(
        profile_id=profile_id, evse_id=evse_id, purpose=purpose, stack_level=stack_level
    )
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
    if command.result_status != ACCEPTED:
        return ClearResult(command, command.result_status)
    if profile_id is not None:
        match = Q(profile_id=profile_id)
    else:
        match = Q()
        if evse_id is not None:
            match &= Q(evse_id=evse_id)
        if purpose is not None:
            match &= Q(purpose=purpose)
        if stack_level is not None:
            match &= Q(stack_level=stack_level)
    with transaction.atomic():
        cleared = ChargingProfile.objects.filter(
            match, station_id=station_id, state=ChargingProfile.State.INSTALLED
        ).update(
            state=ChargingProfile.State.CLEARED, clear_command=command, updated_at=timezone.now()
        )
        audit.record(
            action="stations.charging_profile.clear",
            actor=caller.user,
            actor_label=caller.label,
            target=Station.objects.get(pk=station_id),
            data={"command_id": command.pk, "request": command.payload, "cleared": cleared},
        )
    return ClearResult(command, command.result_status, cleared)


def get_composite_schedule(
    *,
    station_id: int,
    evse_id: int,
    duration: int,
    rate_unit: str | None = None,
    caller: Caller = SYSTEM,
) -> CompositeScheduleResult:
    """The schedule the station will apply on an EVSE (0: the station's total) for the next
    `duration` seconds, in `rate_unit` (None: the station's choice)."""
    request = GetCompositeSchedule(evse_id=evse_id, duration=duration, rate_unit=rate_unit)
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    command, status = outcome.command, outcome.status
    read: CompositeSchedule | None = outcome.answer
    if read is None:
        return CompositeScheduleResult(command, status)
    if status != ACCEPTED or read.schedule is None:
        return CompositeScheduleResult(command, status, read.evse_id)
    return CompositeScheduleResult(command, status, read.evse_id, read.start, read.schedule)


def get_charging_profiles(
    *,
    station_id: int,
    evse_id: int | None = None,
    purpose: str | None = None,
    stack_level: int | None = None,
    profile_ids: list[int] | None = None,
    limit_sources: list[str] | None = None,
    caller: Caller = SYSTEM,
) -> ProfilesRequestResult:
    """Ask the station to report its profiles matching the criteria (the reports follow, see
    `report_profiles`). Raises CommandInvalid for a station whose version cannot list them."""
    request_id = secrets.randbelow(_INT32_MAX) + 1
    request = GetChargingProfiles(
        request_id=request_id,
        evse_id=evse_id,
        purpose=purpose,
        stack_level=stack_level,
        profile_ids=tuple(profile_ids or ()),
        limit_sources=tuple(limit_sources or ()),
    )
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
    return ProfilesRequestResult(command, command.result_status, request_id)


def report_profiles(
    *,
    station_id: int,
    request_id: int,
    evse_id: int,
    limit_source: str,
    profiles: Sequence[ReportedProfile],
    tbc: bool = False,
) -> int:
    """Keep the profiles of one report (read by the adapter, each with its payload as the
    station wrote it) under the GetChargingProfiles command that asked; returns how many were
    new.

    A report may come in several messages (`tbc`); a repeated message changes nothing.
    """
    # The Command row keeps only the wire payload: the request id is found in it.
    command = (
        Command.objects.filter(
            station_id=station_id, action="GetChargingProfiles", payload__requestId=request_id
        )
        .order_by("-created_at")
        .first()
    )
    stored = 0
    with transaction.atomic():
        for item in profiles:
            _, created = ChargingProfile.objects.get_or_create(
                station_id=station_id,
                origin=ChargingProfile.Origin.REPORTED,
                command=command,
                evse_id=evse_id,
                profile_id=item.id,
                defaults={
                    "stack_level": item.stack_level,
                    "purpose": item.purpose,
                    "kind": item.kind,
                    "recurrency_kind": item.recurrency,
                    "valid_from": item.valid_from,
                    "valid_to": item.valid_to,
                    "transaction_id": item.transaction_id[:36],
                    "limit_source": limit_source,
                    "payload": item.payload,
                    "state": ChargingProfile.State.REPORTED,
                },
            )
            stored += created
    log.info(
        "smart_charging.profiles_reported",
        station_id=station_id,
        request_id=request_id,
        command_id=command.pk if command else None,
        profiles=stored,
        complete=not tbc,
    )
    return stored


# --- helpers ---------------------------------------------------------------------------------


def _install(
    station_id: int,
    evse_id: int,
    profile: Profile,
    written: dict[str, Any],
    command: Command,
    caller: Caller,
) -> ChargingProfile:
    with transaction.atomic():
        # Station row locked: two profiles accepted at once must not both stay installed in
        # one place (the later one replaces the earlier, as on the station).
        station = Station.objects.select_for_update().get(pk=station_id)
        ChargingProfile.objects.filter(
            Q(profile_id=profile.id)
            | Q(evse_id=evse_id, stack_level=profile.stack_level, purpose=profile.purpose),
            station=station,
            state=ChargingProfile.State.INSTALLED,
        ).update(state=ChargingProfile.State.REPLACED, updated_at=timezone.now())
        row = ChargingProfile.objects.create(
            station=station,
            evse_id=evse_id,
            profile_id=profile.id,
            stack_level=profile.stack_level,
            purpose=profile.purpose,
            kind=profile.kind,
            recurrency_kind=profile.recurrency or "",
            valid_from=profile.valid_from,
            valid_to=profile.valid_to,
            transaction_id=profile.transaction_id or "",
            payload=written,
            origin=ChargingProfile.Origin.SET,
            state=ChargingProfile.State.INSTALLED,
            command=command,
        )
        audit.record(
            action="stations.charging_profile.install",
            actor=caller.user,
            actor_label=caller.label,
            target=row,
            data={"command_id": command.pk, "evse_id": evse_id, "profile": row.payload},
        )
    return row
