"""Tariffs on OCPP 2.1 stations that calculate cost locally (block I, I07-I11).

A default tariff the station accepted is kept as a DefaultTariff row (per EVSE, 0 = every
EVSE) until the station accepts a ClearTariffs for it. GetTariffs returns the station's own
list of tariff assignments; asked for the whole station, it also drops the default tariffs
the station no longer has. ChangeTransactionTariff keeps nothing beyond its command: the
station confirms the switch with a TransactionEvent (triggerReason TariffChanged).

Tariffs are the caller's TariffType documents ({"tariffId": ..., "currency": ...,
"energy": ...}, the API takes them so), checked against the 2.1 schema; `_check_tariff` reads
the three fields the back office keeps. A version without tariffs is refused by its adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from backoffice.audit import services as audit
from backoffice.lib.ocpp_time import parse_ocpp_datetime
from stations.exceptions import CommandInvalid
from stations.models import Command, DefaultTariff, Station
from stations.services.charging import requests
from stations.services.commands import outbound
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import StatusResult

TARIFF_ID_REUSED = (
    "Tariff {tariff_id} was already sent to this station with other prices; "
    "a changed tariff needs a new tariff id."
)
TARIFF_NEEDS_ID = "A tariff needs a tariffId and a currency."
BAD_VALID_FROM = "The tariff's validFrom is not a date-time."


@dataclass(frozen=True, slots=True)
class TariffsResult:
    """GetTariffs: the station's tariff assignments, camelCase as it sent them, e.g.
    [{"tariffId": "D1", "tariffKind": "DefaultTariff", "evseIds": [1, 2]}]."""

    command: Command
    status: str
    assignments: list[dict[str, Any]]
    reason: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ClearTariffsResult:
    """ClearTariffs has a status per tariff: `results` as the station sent them, `cleared`
    the tariff ids it cleared."""

    command: Command
    results: list[dict[str, Any]]
    cleared: list[str]


@dataclass(frozen=True, slots=True)
class _Facts:
    tariff_id: str
    currency: str
    valid_from: datetime | None


# --- services --------------------------------------------------------------------------------


def set_default_tariff(
    *, station_id: int, tariff: dict[str, Any], evse_id: int = 0, caller: Caller = SYSTEM
) -> StatusResult:
    """Install `tariff` as the default tariff of EVSE `evse_id` (0: every EVSE) (I07).

    Raises CommandInvalid when the tariff id was sent to this station before with other
    content (I08.FR.08: cost details refer to tariffs by id).
    """
    facts = _check_tariff(station_id, tariff)
    request = requests.SetDefaultTariff(evse_id=evse_id, tariff=tariff)
    result = StatusResult.of(outbound.send(station_id=station_id, request=request, caller=caller))
    if result.accepted:
        _keep(station_id, result.command, evse_id, tariff, facts)
    return result


def get_tariffs(*, station_id: int, evse_id: int = 0, caller: Caller = SYSTEM) -> TariffsResult:
    """The tariffs installed on the station (default and driver tariffs), or on one EVSE."""
    request = requests.GetTariffs(evse_id=evse_id)
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    answer: requests.Tariffs | None = outcome.answer
    if answer is None:
        return TariffsResult(outcome.command, outcome.status, [])
    if evse_id == 0 and answer.status.status in ("Accepted", "NoTariff"):
        _drop_missing(station_id, outcome.command, answer.default_tariff_ids)
    return TariffsResult(
        outcome.command,
        answer.status.status,
        list(answer.assignments),
        answer.status.reason,
        answer.status.detail,
    )


def clear_tariffs(
    *,
    station_id: int,
    tariff_ids: list[str] | None = None,
    evse_id: int | None = None,
    caller: Caller = SYSTEM,
) -> ClearTariffsResult:
    """Clear default tariffs: those named, those of one EVSE, both, or all (I10).

    A tariff in use by a running transaction stays in use until it ends (I10.FR.07).
    """
    request = requests.ClearTariffs(tariff_ids=tuple(tariff_ids or ()), evse_id=evse_id)
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    answer: requests.ClearedTariffs | None = outcome.answer
    if answer is None:
        return ClearTariffsResult(outcome.command, [], [])
    cleared = list(answer.cleared)
    # Cleared without naming tariffs, to a request without ids: everything asked was cleared.
    everything = not tariff_ids and answer.cleared_unnamed
    if cleared or everything:
        _forget(station_id, outcome.command, None if everything else cleared, evse_id)
    return ClearTariffsResult(outcome.command, list(answer.results), cleared)


def change_transaction_tariff(
    *, station_id: int, transaction_id: str, tariff: dict[str, Any], caller: Caller = SYSTEM
) -> StatusResult:
    """Apply `tariff` to a running transaction from now on (I11). The station refuses a
    change of currency (NoCurrencyChange) and an unknown transaction (TxNotFound)."""
    _check_tariff(station_id, tariff)
    request = requests.ChangeTransactionTariff(transaction_id=transaction_id, tariff=tariff)
    return StatusResult.of(outbound.send(station_id=station_id, request=request, caller=caller))


# --- helpers ---------------------------------------------------------------------------------


def _check_tariff(station_id: int, tariff: dict[str, Any]) -> _Facts:
    """What the back office keeps of a TariffType document; CommandInvalid when it lacks
    them or reuses a tariff id sent before with other content."""
    tariff_id, currency = tariff.get("tariffId"), tariff.get("currency")
    if not tariff_id or not currency:
        raise CommandInvalid(TARIFF_NEEDS_ID, field="tariff")
    sent = DefaultTariff.objects.filter(station_id=station_id, tariff_id=tariff_id)
    if any(row.tariff != tariff for row in sent.only("tariff")):
        raise CommandInvalid(TARIFF_ID_REUSED.format(tariff_id=tariff_id), field="tariff")
    raw = tariff.get("validFrom")
    try:
        valid_from = parse_ocpp_datetime(raw).value if raw else None
    except (TypeError, ValueError):
        raise CommandInvalid(BAD_VALID_FROM, field="tariff") from None
    return _Facts(tariff_id, currency, valid_from)


def _keep(
    station_id: int, command: Command, evse_id: int, tariff: dict[str, Any], facts: _Facts
) -> None:
    with transaction.atomic():
        # Locked: replacing a station's default tariff must not interleave with another.
        station = Station.objects.select_for_update().get(pk=station_id)
        if facts.valid_from is None:
            # A tariff valid at once replaces the one valid at once before it (I07.FR.22);
            # on EVSE 0 that is every EVSE's (I07.FR.12). Dated tariffs wait for their date.
            replaced = DefaultTariff.objects.filter(station=station, valid_from=None).exclude(
                tariff_id=facts.tariff_id
            )
            if evse_id:
                replaced = replaced.filter(evse_id=evse_id)
            replaced.delete()
        DefaultTariff.objects.update_or_create(
            station=station,
            evse_id=evse_id,
            tariff_id=facts.tariff_id,
            defaults={
                "currency": facts.currency,
                "valid_from": facts.valid_from,
                "tariff": tariff,
                "command": command,
            },
        )
        audit.record(
            action="stations.default_tariff.set",
            actor=command.actor,
            actor_label=command.actor_label,
            target=station,
            data={"command_id": command.pk, "evse_id": evse_id, "tariff_id": facts.tariff_id},
        )


def _forget(
    station_id: int, command: Command, tariff_ids: list[str] | None, evse_id: int | None
) -> None:
    with transaction.atomic():
        station = Station.objects.select_for_update().get(pk=station_id)
        rows = DefaultTariff.objects.filter(station=station)
        if tariff_ids is not None:
            rows = rows.filter(tariff_id__in=tariff_ids)
        if evse_id is not None:
            rows = rows.filter(evse_id=evse_id)
        removed = sorted(set(rows.values_list("tariff_id", flat=True)))
        rows.delete()
        audit.record(
            action="stations.default_tariff.clear",
            actor=command.actor,
            actor_label=command.actor_label,
            target=station,
            data={"command_id": command.pk, "evse_id": evse_id, "cleared": removed},
        )


def _drop_missing(station_id: int, command: Command, present: frozenset[str]) -> None:
    """The station is the truth: forget default tariffs it no longer reports."""
    with transaction.atomic():
        station = Station.objects.select_for_update().get(pk=station_id)
        gone = DefaultTariff.objects.filter(station=station).exclude(tariff_id__in=present)
        removed = sorted(set(gone.values_list("tariff_id", flat=True)))
        if not removed:
            return
        gone.delete()
        audit.record(
            action="stations.default_tariff.gone",
            actor=command.actor,
            actor_label=command.actor_label,
            target=station,
            data={"command_id": command.pk, "removed": removed},
        )
