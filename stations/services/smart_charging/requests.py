"""Version-neutral requests of smart charging and DER control (see `commands.adapters`), the
profiles they carry, and the neutral values the adapters read from the stations' answers.

EVSE N is what a 1.6 station calls connector N; EVSE 0 is the whole station. Purposes use the
2.x names (ChargingStationMaxProfile for 1.6's ChargePointMaxProfile). Limits are Decimals in
the schedule's rate unit (A or W). The rules every version shares are in `charging_profiles`;
what a version cannot express is refused by its adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from stations.services.commands.adapters import Request

# Said by a version that has no DER control (1.6, 2.0.1).
# Said by a version that cannot list profiles (1.6).
CANNOT_LIST_PROFILES = (
    "OCPP {version} stations cannot list their charging profiles: "
    "ask for a composite schedule instead."
)


# --- profiles ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    """From `start` seconds after the schedule's start, charge at most `limit`."""

    start: int
    limit: Decimal | None
    number_phases: int | None = None
    # 2.x: the phase a single-phase EV uses on a three-phase station (1, 2 or 3).
    phase_to_use: int | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    rate_unit: str
    periods: tuple[SchedulePeriod, ...]
    start: datetime | None = None
    duration: int | None = None
    min_rate: Decimal | None = None
    # 2.x schedules carry an id; None: the schedule's place in the profile (1, 2, 3).
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """What an operator or a task asks a station to apply."""

    id: int
    stack_level: int
    purpose: str
    kind: str
    schedules: tuple[Schedule, ...]
    recurrency: str | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: str | None = None


# --- charging profiles -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetChargingProfile(Request):
    """Install `profile` on an EVSE (0: the whole station). Read as `ProfileWritten`."""

    title: ClassVar[str] = "SetChargingProfile"
    evse_id: int
    profile: Profile


@dataclass(frozen=True, slots=True)
class ClearChargingProfile(Request):
    """Clear one profile by id, or the profiles matching every criterion given (none: all)."""

    title: ClassVar[str] = "ClearChargingProfile"
    profile_id: int | None = None
    evse_id: int | None = None
    purpose: str | None = None
    stack_level: int | None = None


@dataclass(frozen=True, slots=True)
class GetCompositeSchedule(Request):
    """The limits the station will apply on an EVSE for `duration` seconds, in `rate_unit`
    (None: the station's choice). Read as `CompositeSchedule`."""

    title: ClassVar[str] = "GetCompositeSchedule"
    evse_id: int
    duration: int
    rate_unit: str | None = None


@dataclass(frozen=True, slots=True)
class GetChargingProfiles(Request):
    """Ask the station to report its profiles matching the criteria under `request_id`."""

    title: ClassVar[str] = "GetChargingProfiles"
    request_id: int
    evse_id: int | None = None
    purpose: str | None = None
    stack_level: int | None = None
    profile_ids: tuple[int, ...] = ()
    limit_sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProfileWritten:
    """A SetChargingProfile's answer: the profile as it was sent, in the station's version,
    kept on the row operators see."""

    profile: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CompositeSchedule:
    """A GetCompositeSchedule's answer; `start` and `schedule` only when accepted."""

    evse_id: int | None = None
    start: datetime | None = None
    schedule: Schedule | None = None


@dataclass(frozen=True, slots=True)
class ReportedProfile:
    """One profile of a station's report, its fields read and `payload` as the station wrote
    it (kept for operators)."""

    id: int
    stack_level: int
    purpose: str
    kind: str
    recurrency: str
    valid_from: datetime | None
    valid_to: datetime | None
    transaction_id: str
    payload: dict[str, Any]


# --- DER control (2.1) ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetDerControl(Request):
    """Install a DER control; `setting` is the object of its type as OCPP 2.1 writes it (a
    DERCurveType for curves, FreqDroopType for FreqDroop, ...). Read as `DerAnswer`."""

    title: ClassVar[str] = "SetDERControl"
    control_id: str
    control_type: str
    setting: dict[str, Any]
    is_default: bool


@dataclass(frozen=True, slots=True)
class GetDerControl(Request):
    """Ask for a report of the DER controls matching the filters under `request_id`."""

    title: ClassVar[str] = "GetDERControl"
    request_id: int
    is_default: bool | None = None
    control_type: str | None = None
    control_id: str | None = None


@dataclass(frozen=True, slots=True)
class ClearDerControl(Request):
    """Clear default (or scheduled) DER controls: all, one type, or one id."""

    title: ClassVar[str] = "ClearDERControl"
    is_default: bool
    control_type: str | None = None
    control_id: str | None = None


@dataclass(frozen=True, slots=True)
class DerAnswer:
    """A DER control answer beyond its status: the reason code and text the station gave, and
    (SetDERControl) the controls the new one superseded."""

    reason: str = ""
    detail: str = ""
    superseded_ids: tuple[str, ...] = ()
