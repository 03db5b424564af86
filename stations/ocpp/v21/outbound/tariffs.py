"""Tariffs a station applies itself, OCPP 2.1 only (block I)."""

from __future__ import annotations

from typing import Any

from stations.ocpp.v201.outbound.answers import read_status, status
from stations.services.charging.requests import (
    ChangeTransactionTariff,
    ClearedTariffs,
    ClearTariffs,
    GetTariffs,
    SetDefaultTariff,
    Tariffs,
)
from stations.services.commands.adapters import Message

from .adapter import ADAPTER, builds_new


@builds_new(SetDefaultTariff, fields={"evseId": "evse_id"})
def set_default_tariff(request: SetDefaultTariff, version: str) -> Message:
    return Message("SetDefaultTariff", {"evseId": request.evse_id, "tariff": request.tariff})


ADAPTER.reads(SetDefaultTariff)(read_status)


@builds_new(GetTariffs, fields={"evseId": "evse_id"})
def get_tariffs(request: GetTariffs, version: str) -> Message:
    return Message("GetTariffs", {"evseId": request.evse_id})


@ADAPTER.reads(GetTariffs)
def tariffs(request: GetTariffs, response: dict[str, Any], version: str) -> Tariffs:
    assignments = tuple(response.get("tariffAssignments") or [])
    defaults = frozenset(
        a["tariffId"] for a in assignments if a.get("tariffKind") == "DefaultTariff"
    )
    return Tariffs(status(response), assignments, defaults)


@builds_new(ClearTariffs, fields={"tariffIds": "tariff_ids", "evseId": "evse_id"})
def clear_tariffs(request: ClearTariffs, version: str) -> Message:
    payload: dict[str, Any] = {}
    if request.tariff_ids:
        payload["tariffIds"] = list(request.tariff_ids)
    if request.evse_id is not None:
        payload["evseId"] = request.evse_id
    return Message("ClearTariffs", payload)


@ADAPTER.reads(ClearTariffs)
def cleared_tariffs(
    request: ClearTariffs, response: dict[str, Any], version: str
) -> ClearedTariffs:
    results = tuple(response.get("clearTariffsResult") or [])
    accepted = [r for r in results if r.get("status") == "Accepted"]
    cleared = tuple(sorted({r["tariffId"] for r in accepted if r.get("tariffId")}))
    return ClearedTariffs(results, cleared, any(not r.get("tariffId") for r in accepted))


@builds_new(ChangeTransactionTariff, fields={"transactionId": "transaction_id"})
def change_transaction_tariff(request: ChangeTransactionTariff, version: str) -> Message:
    return Message(
        "ChangeTransactionTariff",
        {"transactionId": request.transaction_id, "tariff": request.tariff},
    )


ADAPTER.reads(ChangeTransactionTariff)(read_status)
