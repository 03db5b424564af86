"""Rows the driver tests stand on: stations with connectors, sessions, meter values."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from backoffice.accounts.models import IdToken
from backoffice.portal.models import DriverSession
from stations.models import (
    Command,
    Connector,
    Evse,
    MeterValue,
    Station,
    StationConnection,
    Transaction,
    Worker,
)

_numbers = itertools.count(1)


def connector(station: Station, evse_id: int = 1, connector_id: int = 1, status: str = "Available"):
    evse, _ = Evse.objects.get_or_create(station=station, evse_id=evse_id)
    row, _ = Connector.objects.update_or_create(
        evse=evse, connector_id=connector_id, defaults={"status": status}
    )
    return row


def online(station: Station) -> StationConnection:
    """Mark the station held by a live (beating) worker, without a socket."""
    now = timezone.now()
    worker, _ = Worker.objects.get_or_create(
        name="test-worker", defaults={"started_at": now, "beat_at": now}
    )
    return StationConnection.objects.create(
        station=station,
        worker=worker,
        channel_name=f"test-channel-{station.pk}",
        ocpp_version=station.ocpp_version or "1.6",
        connected_at=now,
    )


def session(
    station: Station,
    token: IdToken | None,
    *,
    state: str = Transaction.State.ACTIVE,
    evse_id: int = 1,
    started_at: datetime | None = None,
    meter_start_wh: Decimal | None = Decimal(1000),
    meter_stop_wh: Decimal | None = None,
    **fields: Any,
) -> Transaction:
    row = connector(station, evse_id, status="Charging" if state == "active" else "Available")
    started_at = started_at or timezone.now() - timedelta(minutes=30)
    return Transaction.objects.create(
        station=station,
        evse=row.evse,
        connector=row,
        transaction_id=str(next(_numbers)),
        state=state,
        id_tag=token.id_token if token else "",
        id_token=token,
        started_at=started_at,
        stopped_at=None if state == "active" else started_at + timedelta(minutes=45),
        meter_start_wh=meter_start_wh,
        meter_stop_wh=meter_stop_wh,
        **fields,
    )


def meter_value(tx: Transaction, samples: list[dict[str, Any]], *, at: datetime | None = None):
    return MeterValue.objects.create(
        station=tx.station,
        transaction=tx,
        evse_id=tx.evse.evse_id if tx.evse else 1,
        connector_id=1,
        timestamp=at or timezone.now(),
        sampled_values=samples,
        dedup_key=f"mv-{next(_numbers)}",
    )


def accepted_start(user: Any, station: Station, evse_id: int = 1, **fields: Any) -> DriverSession:
    """A portal start the station accepted, waiting for the car."""
    command = Command.objects.create(
        station=station,
        action="RemoteStartTransaction",
        payload={"idTag": "APP"},
        state=Command.State.ANSWERED,
        result_status="Accepted",
        actor=user,
        actor_label="portal",
    )
    return DriverSession.objects.create(
        user=user,
        station=station,
        evse_id=evse_id,
        connector_id=1,
        id_tag="APP",
        start_command=command,
        **{"start_status": DriverSession.StartStatus.ACCEPTED, **fields},
    )
