"""GetTransactionStatus (OCPP 2.x use case E14): is a transaction still going on, and does the
station still hold messages for it (or, without a transaction id, any messages at all)?

A version without it (1.6) is refused by its adapter before anything is sent. The bus's errors
pass through unchanged (see `remote`).
"""

from __future__ import annotations

from dataclasses import dataclass

from stations.models import Command
from stations.services.charging import requests
from stations.services.commands import outbound
from stations.services.commands.bus import SYSTEM, Caller


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
    request = requests.GetTransactionStatus(transaction_id=transaction_id)
    outcome = outbound.send(station_id=station_id, request=request, caller=caller)
    answer: requests.TransactionStatus | None = outcome.answer
    if answer is None:
        return TransactionStatusResult(outcome.command, None, None)
    return TransactionStatusResult(outcome.command, answer.ongoing, answer.messages_in_queue)
