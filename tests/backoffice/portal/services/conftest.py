from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from stations.services.charging import transactions
from stations.services.types import EvseRef
from tests.factories.stations import StationFactory


@pytest.fixture
def station(transactional_db):
    return StationFactory(identity="CP-WATCH")


@pytest.fixture
def start16(station):
    """Start a 1.6 session in process (the service the adapter calls); returns the Transaction."""
    from stations.models import Transaction

    def start(id_tag: str = "DRIVER-TAG", *, minutes_ago: float = 30, meter_start: int = 1000):
        result = transactions.start_v16(
            station_id=station.pk,
            evse=EvseRef(evse_id=1, connector_id=1),
            id_tag=id_tag,
            meter_start_wh=D(meter_start),
            started_at=timezone.now() - timedelta(minutes=minutes_ago),
        )
        return Transaction.objects.get(station=station, transaction_id=result.transaction_id)

    return start
