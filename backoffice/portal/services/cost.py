"""What a session has cost so far: the seam the tariffs issue fills.

Until tariffs exist there is no price, so `cost_so_far` returns None everywhere: the pages show
no cost, cost limits are stored but not enforced, and 2.1 stations are sent no maxCost. The
tariffs issue replaces the body (keeping the signature) with the pricing engine's answer.
"""

from __future__ import annotations

from decimal import Decimal

from stations.models import Transaction


def cost_so_far(transaction: Transaction) -> Decimal | None:
    """The session's cost so far (or in all, once ended), gross, in the tariff's currency.

    None when it is not known: always, until tariffs exist (the seam).
    """
    return None
