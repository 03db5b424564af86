"""GetTransactionStatus (OCPP 2.x use case E14): is a transaction still going on, and does the
station still hold messages for it (or, without a transaction id, any messages at all)?

A 1.6 station gets CommandInvalid before anything is sent. The bus's errors pass through
unchanged (see `remote`).
"""

from __future__ import annotations

from dataclasses import dataclass

from stations.exceptions import CommandInvalid
from stations.models import Command
from stations.services.commands import v2x
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import Message, _send

TRANSACTION_ID_MAX = 36
TRANSACTION_ID_TOO_LONG = "An OCPP 2.x transaction id is at most 36 characters."


@dataclass(frozen=True, slots=True)
class TransactionStatusResult:
    """`ongoing` is None when no transaction id was asked about (or the station left it out);
    `messages_in_queue` is None only when the station answered with a CALLERROR."""

    command: Command
    ongoing: bool | None
    messages_in_queue: bool | None


def get_transaction_status(
    *, station_id: int, transaction_id: str = "", caller: Caller = SYSTEM
) -> TransactionStatusResult:
    v2x.require_v2x(station_id, "GetTransactionStatus")
    command = _send(station_id, build_get_transaction_status(transaction_id=transaction_id), caller)
    response = command.response or {}
    return TransactionStatusResult(
        command, response.get("ongoingIndicator"), response.get("messagesInQueue")
    )


def build_get_transaction_status(*, transaction_id: str = "") -> Message:
    if len(transaction_id) > TRANSACTION_ID_MAX:
        raise CommandInvalid(TRANSACTION_ID_TOO_LONG, field="transaction_id")
    return Message(
        "GetTransactionStatus", {"transactionId": transaction_id} if transaction_id else {}
    )
