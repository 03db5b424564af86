"""Version-neutral requests of remote control (see `adapters`): what a service asks a station,
and the answers that carry more than a status.

Ids follow the domain: EVSE N and its connector M; the adapter of a version that numbers
them otherwise (1.6: connector N is EVSE N) translates or refuses. Configuration keys are a
variable's name where a version's keys are flat, "Component/Variable" where they are not
(`Traits.component_variable_keys`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from stations.services.commands.adapters import Request
from stations.services.smart_charging.charging_profiles import Profile

CONNECTOR_NEEDS_EVSE = "A connector is given without its EVSE."
# The id token type of a token the back office does not know (and of its own tokens).
CENTRAL = "Central"


@dataclass(frozen=True, slots=True)
class Reset(Request):
    """Restart the station: `hard` at once, or gracefully; `when_idle` waits for idle (2.x)."""

    title: ClassVar[str] = "Reset"
    hard: bool
    when_idle: bool = True


@dataclass(frozen=True, slots=True)
class ClearCache(Request):
    """Empty the station's authorization cache."""

    title: ClassVar[str] = "ClearCache"


@dataclass(frozen=True, slots=True)
class RemoteStart(Request):
    """Start charging for `id_token`, on an EVSE (or the station's choice).

    `charging_profile` is a `Profile`, or a profile already in the version's own shape.
    `remote_start_id` (a random one when None) comes back with the transaction where the
    version has it.
    """

    title: ClassVar[str] = "RemoteStart"
    id_token: str
    evse_id: int | None = None
    connector_id: int | None = None
    charging_profile: dict[str, Any] | Profile | None = None
    remote_start_id: int | None = None


@dataclass(frozen=True, slots=True)
class RemoteStop(Request):
    title: ClassVar[str] = "RemoteStop"
    transaction_id: str | int


@dataclass(frozen=True, slots=True)
class ChangeAvailability(Request):
    """The station (no EVSE), an EVSE or one of its connectors, operative or not."""

    title: ClassVar[str] = "ChangeAvailability"
    operative: bool
    evse_id: int | None = None
    connector_id: int | None = None


@dataclass(frozen=True, slots=True)
class UnlockConnector(Request):
    title: ClassVar[str] = "UnlockConnector"
    evse_id: int
    connector_id: int = 1


@dataclass(frozen=True, slots=True)
class TriggerMessage(Request):
    """Ask the station to send `message` (e.g. "StatusNotification") now, for one EVSE or all."""

    title: ClassVar[str] = "TriggerMessage"
    message: str
    evse_id: int | None = None


@dataclass(frozen=True, slots=True)
class DataTransfer(Request):
    """A vendor's message; the answer read is the station's `data`, if any."""

    title: ClassVar[str] = "DataTransfer"
    vendor_id: str
    message_id: str | None = None
    data: Any = None


@dataclass(frozen=True, slots=True)
class GetConfiguration(Request):
    """Read configuration values; no keys: every key, where a version can say so."""

    title: ClassVar[str] = "GetConfiguration"
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChangeConfiguration(Request):
    """Set one configuration value; the answer read is the station's status for it."""

    title: ClassVar[str] = "ChangeConfiguration"
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class ReserveNow(Request):
    """Hold an EVSE (None: any) for `id_token` until `expires_at`; token types are OCPP's
    IdToken types ("Central", "ISO14443", ...)."""

    title: ClassVar[str] = "ReserveNow"
    reservation_id: int
    id_token: str
    expires_at: datetime
    evse_id: int | None = None
    connector_type: str | None = None
    group_id_token: str | None = None
    id_token_type: str = CENTRAL
    group_id_token_type: str = CENTRAL


@dataclass(frozen=True, slots=True)
class CancelReservation(Request):
    title: ClassVar[str] = "CancelReservation"
    reservation_id: int


# --- answers ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    """An answer's status, and the reason code and text the station gave with it (if any)."""

    status: str
    reason: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ConfigurationValue:
    """One configuration value: `variable` of `component` ("" where keys are flat); whether
    it is read-only is said only where keys are flat."""

    variable: str
    value: str
    read_only: bool = False
    component: str = ""

    @property
    def key(self) -> str:
        return f"{self.component}/{self.variable}" if self.component else self.variable


@dataclass(frozen=True, slots=True)
class Configuration:
    """A configuration read: the values, and the keys the station does not know."""

    values: tuple[ConfigurationValue, ...]
    unknown: tuple[str, ...]
