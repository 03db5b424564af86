"""The simulated charger the driver's browser tests charge at, against the real server: started
and stopped remotely by the back office's own services, it reports a rising meter that the back
office stores, for each protocol version."""

from __future__ import annotations

import pytest

from stations.models import Connector, MeterValue, Transaction
from stations.services.commands import remote
from tests.browser.chargers import SimulatedCharger
from tests.factories.accounts import IdTokenFactory
from tests.factories.stations import StationFactory

VERSIONS = ["1.6", "2.0.1", "2.1"]


@pytest.mark.parametrize("version", VERSIONS)
def test_it_charges_when_started_and_ends_when_stopped(server, version):
    station = StationFactory(identity=f"CP-SIM-{version}", ocpp_version=version)
    IdTokenFactory(id_token="SIM-TAG")
    with SimulatedCharger(server, station.identity, version=version, interval=0.2) as charger:
        assert charger.wait_for(
            lambda: Connector.objects.filter(evse__station=station, status="Available").exists()
        )
        started = remote.remote_start(
            station_id=station.pk,
            id_token="SIM-TAG",
            evse_id=1,
            connector_id=1 if version == "1.6" else None,
        )
        assert started.accepted
        assert charger.wait_for(lambda: charger.active and charger.active.ticks >= 3)
        tx = charger.active
        assert tx is not None and tx.authorization["status"] == "Accepted"
        session = Transaction.objects.get(station=station, transaction_id=tx.transaction_id)
        assert session.state == "active" and session.id_tag == "SIM-TAG"
        if version != "1.6":
            assert session.remote_start_command == started.command

        stopped = remote.remote_stop(station_id=station.pk, transaction_id=session.transaction_id)
        assert stopped.accepted
        assert charger.wait_for(lambda: tx.ended)
    session.refresh_from_db()
    assert session.state == "completed" and session.stop_reason == "Remote"
    assert session.energy_wh == tx.delivered_wh > 0
    assert MeterValue.objects.filter(transaction=session).count() >= 3
    assert charger.errors == []
