"""The charging core's requests in OCPP 2.0.1 and 2.1: GetTransactionStatus."""

from __future__ import annotations

from typing import Any

from stations.exceptions import CommandInvalid
from stations.services.charging.requests import GetTransactionStatus, TransactionStatus
from stations.services.commands.adapters import Message

from .adapter import ADAPTER

TRANSACTION_ID_MAX = 36
TRANSACTION_ID_TOO_LONG = "An OCPP 2.x transaction id is at most 36 characters."


@ADAPTER.builds(GetTransactionStatus, fields={"transactionId": "transaction_id"})
def get_transaction_status(request: GetTransactionStatus, version: str) -> Message:
    transaction_id = request.transaction_id
    if len(transaction_id) > TRANSACTION_ID_MAX:
        raise CommandInvalid(TRANSACTION_ID_TOO_LONG, field="transaction_id")
    return Message(
        "GetTransactionStatus", {"transactionId": transaction_id} if transaction_id else {}
    )


@ADAPTER.reads(GetTransactionStatus)
def transaction_status(
    request: GetTransactionStatus, response: dict[str, Any], version: str
) -> TransactionStatus:
    return TransactionStatus(response.get("ongoingIndicator"), response.get("messagesInQueue"))
