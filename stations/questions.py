"""Questions the charging core asks other domains while it answers a charger.

An event (`stations.events`) says what happened and expects nothing back. A few answers to a
charger need another domain's word: today, the limits a driver set for a session (2.1
`transactionLimit`); next, the running cost and the tariff. The core asks here, in
version-neutral terms; the domain that knows registers an answerer in its `AppConfig.ready`;
the version adapter renders the answer in its version, or leaves out what its version cannot
carry. The core never imports an answerer.

Answerers run in the answer's path: they must be quick, and say nothing (None) without a
query when the session is not theirs (e.g. no driver).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class TransactionLimits:
    """Where the station itself should stop the session; all None: no limit (any sent before
    is taken away)."""

    energy_wh: Decimal | None = None
    duration_seconds: int | None = None
    cost: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TransactionTerms:
    """What applies to a session, as far as the answer to the charger goes. `limits` None:
    nothing new to tell (unchanged since last told, or none ever)."""

    limits: TransactionLimits | None = None


@dataclass(frozen=True, slots=True)
class TransactionContext:
    """The session a question is about. `driver_id`: the user its id token belongs to."""

    station_id: int
    transaction_pk: int
    driver_id: int | None


TermsAnswerer = Callable[[TransactionContext], TransactionTerms | None]
_terms_answerers: list[TermsAnswerer] = []


def answers_transaction_terms(answerer: TermsAnswerer) -> TermsAnswerer:
    """Register `answerer` (a decorator); registering the same function twice is harmless."""
    if answerer not in _terms_answerers:
        _terms_answerers.append(answerer)
    return answerer


def transaction_terms(context: TransactionContext) -> TransactionTerms:
    """What the domains say applies to the session; the first answer that sets a part wins."""
    limits = None
    for answerer in _terms_answerers:
        answer = answerer(context)
        if answer is not None and limits is None:
            limits = answer.limits
    return TransactionTerms(limits=limits)
