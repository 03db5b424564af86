"""StartTransaction, MeterValues and StopTransaction over a real socket, replays included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from ocpp.v16 import call

from backoffice.accounts.models import IdToken
from backoffice.lib.ocpp_time import parse_ocpp_datetime
from stations.models import MeterValue, Transaction
from tests.factories.accounts import IdTokenFactory
from tests.ocpp_client import charger16

pytestmark = pytest.mark.asyncio

T0 = "2026-01-05T10:00:00Z"
T1 = "2026-01-05T10:05:00Z"
T2 = "2026-01-05T10:30:00Z"


def energy(value: str, timestamp: str, **extra: str) -> dict:
    sample = {"value": value, "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    return {"timestamp": timestamp, "sampledValue": [{**sample, **extra}]}


async def boot(cp) -> None:
    await cp.call(call.BootNotification(charge_point_vendor="ACME", charge_point_model="X"))


async def start(cp, id_tag="TAG-ACCEPTED", timestamp=T0, meter_start=1000, connector_id=1):
    return await cp.call(
        call.StartTransaction(
            connector_id=connector_id, id_tag=id_tag, meter_start=meter_start, timestamp=timestamp
        )
    )


async def test_a_full_session_is_stored_with_its_energy(server, station, id_token):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        started = await start(cp)
        await cp.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=started.transaction_id,
                meter_value=[
                    {
                        "timestamp": T1,
                        "sampledValue": [
                            {
                                "value": "1500",
                                "measurand": "Energy.Active.Import.Register",
                                "unit": "Wh",
                                "context": "Sample.Periodic",
                                "location": "Outlet",
                            },
                            {
                                "value": "7.2",
                                "measurand": "Power.Active.Import",
                                "unit": "kW",
                                "phase": "L1",
                                "context": "Sample.Periodic",
                            },
                        ],
                    }
                ],
            )
        )
        stopped = await cp.call(
            call.StopTransaction(
                meter_stop=11000,
                timestamp=T2,
                transaction_id=started.transaction_id,
                id_tag="TAG-ACCEPTED",
                reason="EVDisconnected",
                transaction_data=[energy("11000", T2, context="Transaction.End")],
            )
        )
    assert started.id_tag_info["status"] == "Accepted"
    assert stopped.id_tag_info["status"] == "Accepted"
    tx = Transaction.objects.get(station=station)
    assert tx.transaction_id == str(started.transaction_id)
    assert tx.state == Transaction.State.COMPLETED
    assert tx.energy_wh == D("10000")
    assert tx.stop_reason == "EVDisconnected"
    assert tx.connector.connector_id == 1 and tx.evse.evse_id == 1
    values = list(tx.meter_values.order_by("timestamp"))
    assert len(values) == 2
    assert values[0].sampled_values[1] == {
        "value": "7.2",
        "measurand": "Power.Active.Import",
        "unit": "kW",
        "phase": "L1",
        "context": "Sample.Periodic",
    }
    assert values[0].sampled_values[0]["location"] == "Outlet"
    assert values[1].sampled_values[0]["context"] == "Transaction.End"


async def test_transaction_ids_are_not_sequential(server, station, transactional_db):
    IdTokenFactory(id_token="FLEET", allow_concurrent_transactions=True)
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        first = await start(cp, id_tag="FLEET", connector_id=1)
        second = await start(cp, id_tag="FLEET", connector_id=2, timestamp=T1)
    assert first.transaction_id != second.transaction_id
    assert abs(first.transaction_id - second.transaction_id) != 1


async def test_a_replayed_start_gets_the_same_transaction_id(server, station, id_token):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        first = await start(cp)
    # The charger reconnects and replays its queued StartTransaction (with a new message id).
    async with charger16(server, station.identity) as cp:
        again = await start(cp)
    assert again.transaction_id == first.transaction_id
    assert again.id_tag_info["status"] == "Accepted"
    assert Transaction.objects.filter(station=station).count() == 1


async def test_a_replayed_start_answers_with_the_current_cache_expiry_and_parent(
    server, station, transactional_db
):
    IdTokenFactory(id_token="FLEET-A")
    IdTokenFactory(id_token="CARD", group_id_token="FLEET-A")
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        first = await start(cp, id_tag="CARD")
    async with charger16(server, station.identity) as cp:
        again = await start(cp, id_tag="CARD")

    assert again.transaction_id == first.transaction_id
    # As a fresh decision: the replayed transaction itself is no concurrent one.
    assert again.id_tag_info["status"] == "Accepted"
    assert again.id_tag_info["parent_id_tag"] == "FLEET-A"
    expiry = parse_ocpp_datetime(again.id_tag_info["expiry_date"]).value
    cache = timedelta(seconds=86400)  # the test server's OCPP_AUTH_CACHE_SECONDS
    assert abs(expiry - (datetime.now(UTC) + cache)) < timedelta(seconds=30)
    assert again.id_tag_info == first.id_tag_info | {
        "expiry_date": again.id_tag_info["expiry_date"]
    }


async def test_a_replayed_start_tells_of_a_token_blocked_since(server, station, id_token):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        first = await start(cp)
        IdToken.objects.filter(pk=id_token.pk).update(status=IdToken.Status.BLOCKED)
        again = await start(cp)
    assert again.transaction_id == first.transaction_id
    assert (first.id_tag_info["status"], again.id_tag_info["status"]) == ("Accepted", "Blocked")
    # The transaction keeps the decision it was opened with.
    assert Transaction.objects.get(station=station).auth_status == "Accepted"


async def test_a_start_refused_the_first_time_stays_refused_when_replayed(
    server, station, transactional_db
):
    waiting = IdTokenFactory(id_token="NEW-CARD", awaiting_approval=True)
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        first = await start(cp, id_tag="NEW-CARD")
        IdToken.objects.filter(pk=waiting.pk).update(awaiting_approval=False)
        again = await start(cp, id_tag="NEW-CARD")
    assert again.transaction_id == first.transaction_id
    assert (first.id_tag_info["status"], again.id_tag_info["status"]) == ("Invalid", "Invalid")
    # With the cache expiry of the current decision all the same.
    assert again.id_tag_info["expiry_date"]


async def test_the_same_stop_twice_changes_nothing(server, station, id_token):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        started = await start(cp)
        stop = call.StopTransaction(
            meter_stop=5000,
            timestamp=T2,
            transaction_id=started.transaction_id,
            transaction_data=[energy("5000", T2)],
        )
        first = await cp.call(stop)
        tx = Transaction.objects.get(station=station)
        second = await cp.call(stop)
    assert first == second
    tx_after = Transaction.objects.get(station=station)
    assert tx_after.updated_at == tx.updated_at
    assert tx_after.meter_stop_wh == D(5000)
    assert MeterValue.objects.filter(transaction=tx).count() == 1


async def test_a_stop_for_a_transaction_never_started_here_is_kept(server, station, id_token):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        result = await cp.call(
            call.StopTransaction(
                meter_stop=4200,
                timestamp=T2,
                transaction_id=987654,
                id_tag="TAG-ACCEPTED",
                transaction_data=[energy("4200", T2)],
            )
        )
    assert result.id_tag_info["status"] == "Accepted"
    tx = Transaction.objects.get(station=station, transaction_id="987654")
    assert tx.state == Transaction.State.COMPLETED
    assert tx.meter_stop_wh == D(4200)
    assert "stop_without_start" in tx.anomalies
    assert tx.meter_values.count() == 1


async def test_offline_stops_without_an_id_are_each_kept_once(server, station):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        for meter_stop, timestamp in [(100, T1), (200, T2), (200, T2)]:
            result = await cp.call(
                call.StopTransaction(meter_stop=meter_stop, timestamp=timestamp, transaction_id=-1)
            )
            assert result.id_tag_info is None
    stops = Transaction.objects.filter(station=station).order_by("meter_stop_wh")
    assert [tx.meter_stop_wh for tx in stops] == [D(100), D(200)]
    assert all("stop_without_start" in tx.anomalies for tx in stops)


async def test_meter_values_after_stop_are_kept_and_flagged(server, station, id_token):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        started = await start(cp)
        await cp.call(
            call.StopTransaction(
                meter_stop=3000, timestamp=T1, transaction_id=started.transaction_id
            )
        )
        await cp.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=started.transaction_id,
                meter_value=[energy("3000", T2)],
            )
        )
    tx = Transaction.objects.get(station=station)
    late = tx.meter_values.get()
    assert late.after_stop is True
    assert "meter_values_after_stop" in tx.anomalies
    assert tx.meter_stop_wh == D(3000)


async def test_replayed_meter_values_are_stored_once(server, station, id_token):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        started = await start(cp)
        frame = call.MeterValues(
            connector_id=1,
            transaction_id=started.transaction_id,
            meter_value=[energy("1100", T1), energy("1200", T2)],
        )
        await cp.call(frame)
        await cp.call(frame)
    assert MeterValue.objects.filter(station=station).count() == 2


async def test_start_answers_the_token_status_and_keeps_the_session(
    server, station, transactional_db
):
    IdTokenFactory(id_token="BLOCKED", status="Blocked")
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        blocked = await start(cp, id_tag="BLOCKED")
        unknown = await start(cp, id_tag="NOBODY", connector_id=2)
    assert blocked.id_tag_info["status"] == "Blocked"
    assert unknown.id_tag_info["status"] == "Invalid"
    # Always acknowledged and kept: the charger decides to stop, the energy is not lost.
    txs = Transaction.objects.filter(station=station)
    assert txs.count() == 2
    assert all("start_not_accepted" in tx.anomalies for tx in txs)


async def test_a_second_start_with_a_busy_token_is_concurrent_tx(server, station, id_token):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        await start(cp, connector_id=1)
        second = await start(cp, connector_id=2, timestamp=T1)
    assert second.id_tag_info["status"] == "ConcurrentTx"


async def test_a_new_start_on_a_busy_connector_supersedes_the_old_one(server, station, id_token):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        first = await start(cp, timestamp=T0)
        IdTokenFactory(id_token="OTHER")
        await start(cp, id_tag="OTHER", timestamp=T1)
        # The old session's stop arrives late: it still records the real end.
        await cp.call(
            call.StopTransaction(meter_stop=2000, timestamp=T1, transaction_id=first.transaction_id)
        )
    old = Transaction.objects.get(station=station, transaction_id=str(first.transaction_id))
    assert "superseded_without_stop" in old.anomalies
    assert old.meter_stop_wh == D(2000)
    assert Transaction.objects.filter(station=station, state="active").count() == 1


async def test_a_timestamp_without_zone_is_taken_as_utc_and_flagged(server, station, id_token):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        result = await start(cp, timestamp="2026-01-05T10:00:00")
    assert result.id_tag_info["status"] == "Accepted"
    tx = Transaction.objects.get(station=station)
    assert tx.started_at.isoformat() == "2026-01-05T10:00:00+00:00"
    assert "naive_timestamp" in tx.anomalies


async def test_meter_values_after_a_stop_on_the_same_socket_are_still_flagged(
    server, station, id_token
):
    async with charger16(server, station.identity) as cp:
        await boot(cp)
        started = await start(cp)
        tx_id = started.transaction_id
        # The first MeterValues makes the session remember the open transaction.
        await cp.call(
            call.MeterValues(connector_id=1, transaction_id=tx_id, meter_value=[energy("1500", T0)])
        )
        await cp.call(call.StopTransaction(meter_stop=3000, timestamp=T1, transaction_id=tx_id))
        await cp.call(
            call.MeterValues(connector_id=1, transaction_id=tx_id, meter_value=[energy("3000", T2)])
        )
    tx = Transaction.objects.get(station=station)
    flags = dict(tx.meter_values.values_list("timestamp__minute", "after_stop"))
    assert flags == {0: False, 30: True}
    assert "meter_values_after_stop" in tx.anomalies
