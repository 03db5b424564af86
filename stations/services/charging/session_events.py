"""The domain events of a session, built from its row, and whose session it is (the user its
id token belongs to, which every session event carries)."""

from __future__ import annotations

from django.db.models import F

from backoffice.accounts.models import IdToken
from stations import events
from stations.models import Transaction

# Annotate Transaction querysets with this (`.annotate(driver_id=DRIVER)`): the token's owner
# in the same SELECT, so the hot paths announce events without a query of their own.
DRIVER = F("id_token__user_id")


def driver_of(tx: Transaction) -> int | None:
    """The user the session's id token belongs to; read from the `DRIVER` annotation when the
    row was loaded with it, else one query (then kept on the object)."""
    if tx.id_token_id is None:
        return None
    known: int | None = tx.__dict__.get("driver_id", -1)
    if known != -1:
        return known
    driver = IdToken.objects.filter(pk=tx.id_token_id).values_list("user_id", flat=True).first()
    tx.__dict__["driver_id"] = driver
    return driver


def ended(
    tx: Transaction, *, driver_id: int | None, stopped_at_limit: str = ""
) -> events.TransactionEnded:
    """The session just ended (the first time only)."""
    return events.TransactionEnded(
        station_id=tx.station_id,
        transaction_pk=tx.pk,
        driver_id=driver_id,
        stopped_at=tx.stopped_at,
        energy_wh=tx.energy_wh,
        stop_reason=tx.stop_reason,
        stopped_at_limit=stopped_at_limit,
    )


def updated(
    tx: Transaction, *, driver_id: int | None, token_added: bool = False, previous: str = ""
) -> events.TransactionUpdated:
    """Any change to the session's row; `previous` is the charging state before it."""
    return events.TransactionUpdated(
        station_id=tx.station_id,
        transaction_pk=tx.pk,
        driver_id=driver_id,
        token_added=token_added,
        charging_state=tx.charging_state,
        previous_charging_state=previous,
        at=tx.last_event_at or tx.stopped_at or tx.started_at,
    )
