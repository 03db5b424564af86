"""Version-neutral requests of the charging core (see `commands.adapters`): transaction
status, battery swaps, web payments and the tariffs a station applies itself, with the
answers that carry more than a status.

Tariffs travel as the caller gives them: OCPP's TariffType documents (the API takes them so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from stations.services.commands.adapters import Request
from stations.services.commands.requests import CENTRAL, Status


@dataclass(frozen=True, slots=True)
class GetTransactionStatus(Request):
    """Is the transaction still going on, and does the station hold messages for it (or,
    without a transaction id, any messages at all)?"""

    title: ClassVar[str] = "GetTransactionStatus"
    transaction_id: str = ""


@dataclass(frozen=True, slots=True)
class TransactionStatus:
    """`ongoing` is None when no transaction was asked about (or the station left it out)."""

    ongoing: bool | None
    messages_in_queue: bool | None


@dataclass(frozen=True, slots=True)
class RequestBatterySwap(Request):
    """Release a battery for `id_token`; the station's swap events carry `request_id`."""

    title: ClassVar[str] = "RequestBatterySwap"
    request_id: int
    id_token: str
    token_type: str = CENTRAL


@dataclass(frozen=True, slots=True)
class NotifyWebPaymentStarted(Request):
    """A driver started paying on the web for `evse_id`; no result after `timeout` seconds."""

    title: ClassVar[str] = "NotifyWebPaymentStarted"
    evse_id: int
    timeout: int


# --- tariffs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetDefaultTariff(Request):
    title: ClassVar[str] = "SetDefaultTariff"
    evse_id: int
    tariff: dict[str, Any]


@dataclass(frozen=True, slots=True)
class GetTariffs(Request):
    title: ClassVar[str] = "GetTariffs"
    evse_id: int = 0


@dataclass(frozen=True, slots=True)
class ClearTariffs(Request):
    """Clear default tariffs: those named, those of one EVSE, both, or (neither) all."""

    title: ClassVar[str] = "ClearTariffs"
    tariff_ids: tuple[str, ...] = ()
    evse_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChangeTransactionTariff(Request):
    title: ClassVar[str] = "ChangeTransactionTariff"
    transaction_id: str
    tariff: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Tariffs:
    """The station's tariff assignments, as it sent them, and the default tariffs among them."""

    status: Status
    assignments: tuple[dict[str, Any], ...]
    default_tariff_ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class ClearedTariffs:
    """The station's result per tariff, as it sent them; the tariff ids it cleared; and
    whether it cleared without naming tariffs (everything asked)."""

    results: tuple[dict[str, Any], ...]
    cleared: tuple[str, ...]
    cleared_unnamed: bool
