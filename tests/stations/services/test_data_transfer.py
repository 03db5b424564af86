from __future__ import annotations

from stations.models import DataTransferRecord
from stations.services.charging import data_transfer
from stations.services.types import DataTransferResult
from tests.factories.stations import StationFactory


def test_a_registered_vendor_handler_answers_data_transfer(db):
    station = StationFactory()

    @data_transfer.register("com.acme")
    def echo(station_id, message_id, data):
        return DataTransferResult("Accepted", data=f"echo:{data}")

    try:
        result = data_transfer.receive(
            station_id=station.pk, vendor_id="com.acme", message_id="m", data="hi"
        )
    finally:
        data_transfer.unregister("com.acme")
    assert result == DataTransferResult("Accepted", data="echo:hi")
    assert DataTransferRecord.objects.get().response_status == "Accepted"
