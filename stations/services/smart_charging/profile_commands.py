"""Smart charging: set, clear and read charging profiles and composite schedules.

Version-neutral: the profile is a `charging_profiles.Profile`, EVSE N is 1.6 connector N and
EVSE 0 is the whole station. What the station accepted is kept as `ChargingProfile` rows
(installed, replaced, cleared), so operators see what each station and EVSE runs; a 2.x
station's ReportChargingProfiles, the follow-up of GetChargingProfiles, is kept as reported and
tied to the command that asked. The messages are built in `smart_charging_payloads`; the
bus's errors pass through unchanged (see `remote`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backoffice.audit import services as audit
from stations.models import ChargingProfile, Command, Station
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import V16, Message, _send, _version
from stations.services.smart_charging import charging_profiles, payloads
from stations.services.smart_charging.charging_profiles import Profile, Schedule

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
    version = _version(station_id)
    message = payloads.build_set_charging_profile(version=version, evse_id=evse_id, profile=profile)
    command = _send(station_id, message, caller)
    if command.result_status != ACCEPTED:
        return ProfileResult(command, command.result_status)
    row = _install(station_id, evse_id, profile, message, command, caller)
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
    message = payloads.build_clear_charging_profile(
        version=_version(station_id),
        profile_id=profile_id,
        evse_id=evse_id,
        purpose=purpose,
        stack_level=stack_level,
    )
    command = _send(station_id, message, caller)
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
            data={"command_id": command.pk, "request": message.payload, "cleared": cleared},
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
    version = _version(station_id)
    message = payloads.build_get_composite_schedule(
        version=version, evse_id=evse_id, duration=duration, rate_unit=rate_unit
    )
    command = _send(station_id, message, caller)
    return composite_schedule_result(version=version, command=command)


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
    """Ask a 2.x station to report its profiles matching the criteria (ReportChargingProfiles
    follows, see `report_profiles`). Raises CommandInvalid for a 1.6 station."""
    request_id = secrets.randbelow(_INT32_MAX) + 1
    message = payloads.build_get_charging_profiles(
        version=_version(station_id),
        request_id=request_id,
        evse_id=evse_id,
        purpose=purpose,
        stack_level=stack_level,
        profile_ids=profile_ids,
        limit_sources=limit_sources,
    )
    command = _send(station_id, message, caller)
    return ProfilesRequestResult(command, command.result_status, request_id)


def report_profiles(
    *,
    station_id: int,
    request_id: int,
    evse_id: int,
    limit_source: str,
    profiles: list[dict[str, Any]],
    tbc: bool = False,
) -> int:
    """Keep the profiles of one ReportChargingProfiles (camelCase, as the station wrote them)
    under the GetChargingProfiles command that asked; returns how many were new.

    A report may come in several messages (`tbc`); a repeated message changes nothing.
    """
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
                profile_id=item["id"],
                defaults={
                    **_profile_fields(item),
                    "limit_source": limit_source,
                    "payload": item,
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


# --- answers ---------------------------------------------------------------------------------


def composite_schedule_result(*, version: str, command: Command) -> CompositeScheduleResult:
    """Read a GetCompositeSchedule answer of either version into neutral terms."""
    response = command.response or {}
    status = command.result_status
    if version == V16:
        raw = response.get("chargingSchedule")
        evse_id = response.get("connectorId")
        start_raw = response.get("scheduleStart") or (raw or {}).get("startSchedule")
    else:
        raw = response.get("schedule")
        evse_id = (raw or {}).get("evseId")
        start_raw = (raw or {}).get("scheduleStart")
    if status != ACCEPTED or not raw:
        return CompositeScheduleResult(command, status, evse_id)
    start = charging_profiles.optional_datetime(start_raw)
    schedule = Schedule(
        rate_unit=raw["chargingRateUnit"],
        periods=charging_profiles.periods_from_ocpp(raw["chargingSchedulePeriod"]),
        start=start,
        duration=raw.get("duration"),
        min_rate=charging_profiles.to_decimal(raw.get("minChargingRate")),
    )
    return CompositeScheduleResult(command, status, evse_id, start, schedule)


# --- helpers ---------------------------------------------------------------------------------


def _install(
    station_id: int,
    evse_id: int,
    profile: Profile,
    message: Message,
    command: Command,
    caller: Caller,
) -> ChargingProfile:
    key = "csChargingProfiles" if "csChargingProfiles" in message.payload else "chargingProfile"
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
            payload=message.payload[key],
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


def _profile_fields(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "stack_level": item.get("stackLevel", 0),
        "purpose": charging_profiles.neutral_purpose(item.get("chargingProfilePurpose", "")),
        "kind": item.get("chargingProfileKind", ""),
        "recurrency_kind": item.get("recurrencyKind", ""),
        "valid_from": charging_profiles.optional_datetime(item.get("validFrom")),
        "valid_to": charging_profiles.optional_datetime(item.get("validTo")),
        "transaction_id": str(item.get("transactionId", ""))[:36],
    }
