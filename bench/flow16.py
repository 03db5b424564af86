"""What a simulated OCPP 1.6 station sends in each phase of the load (timing is loadgen's).

setup: BootNotification, StatusNotification Available for connectors 0, 1 and 2.
steady: Authorize, StatusNotification Preparing, StartTransaction on connector 1,
StatusNotification Charging; MeterValues (eight sampled values) and Heartbeats.
close: StopTransaction with transactionData (Transaction.Begin and .End), StatusNotification
Finishing and Available.
storm (after the server restarted, mid-transaction): BootNotification, StatusNotification
Available for connectors 0 and 2 and Charging for connector 1; the transaction goes on.
"""

from __future__ import annotations

from collections.abc import Callable

import ocpp16_frames as frames
from station_client import StationClient

VERSION = "1.6"
CONNECTOR = 1
STATUS_CONNECTORS = (0, 1, 2)
# transactionData of each StopTransaction: a Transaction.Begin and a Transaction.End element.
STOP_ELEMENTS = 2
SETUP_CALLS = "BootNotification, 3 StatusNotification"

Expected = tuple[int, int]  # rows the answered CALLs wrote, rows unanswered ones may add


class Station16:
    """One 1.6 station's session state: its id tag and the transaction the CSMS gave it."""

    def __init__(self, client: StationClient, id_tag: str) -> None:
        self.client = client
        self.id_tag = id_tag
        self.transaction_id = 0
        self.begin_element: frames.Payload = {}
        self.boot_status = ""  # of the last BootNotification

    async def set_up(self, phase: str = "setup") -> bool:
        """Boot and report every connector; in the storm phase connector 1 is charging."""
        boot = await self.client.call(
            phase, "BootNotification", frames.boot_notification(self.client.identity)
        )
        self.boot_status = boot.get("status", "")
        if self.boot_status != "Accepted":
            return False
        for connector_id in STATUS_CONNECTORS:
            charging = phase == "storm" and connector_id == CONNECTOR
            await self._status(phase, connector_id, "Charging" if charging else "Available")
        return True

    async def start(self, energy_wh: int, *, authorize: bool) -> bool:
        """Start charging; True when the CSMS accepted the id tag."""
        if authorize:
            await self.client.call("steady", "Authorize", frames.authorize(self.id_tag))
        await self._status("steady", CONNECTOR, "Preparing")
        start = await self.client.call(
            "steady",
            "StartTransaction",
            frames.start_transaction(CONNECTOR, self.id_tag, energy_wh),
        )
        self.transaction_id = start["transactionId"]
        self.begin_element = frames.meter_value_element(energy_wh, 0, "Transaction.Begin")
        await self._status("steady", CONNECTOR, "Charging")
        return start["idTagInfo"]["status"] == "Accepted"

    async def meter(self, energy_wh: int, power_w: int) -> None:
        element = frames.meter_value_element(energy_wh, power_w, "Sample.Periodic")
        await self.client.call(
            "steady", "MeterValues", frames.meter_values(CONNECTOR, self.transaction_id, element)
        )

    async def heartbeat(self) -> None:
        await self.client.call("steady", "Heartbeat", frames.heartbeat())

    async def stop(self, energy_wh: int) -> None:
        end_element = frames.meter_value_element(energy_wh, 0, "Transaction.End")
        await self.client.call(
            "close",
            "StopTransaction",
            frames.stop_transaction(
                self.transaction_id, self.id_tag, energy_wh, [self.begin_element, end_element]
            ),
        )
        await self._status("close", CONNECTOR, "Finishing")
        await self._status("close", CONNECTOR, "Available")

    async def _status(self, phase: str, connector_id: int, status: str) -> None:
        await self.client.call(
            phase, "StatusNotification", frames.status_notification(connector_id, status)
        )


def expected_rows(count: Callable[[str, int], Expected]) -> dict[str, Expected]:
    """Rows of this version's transaction tables, from `count(label, rows per CALL)`."""
    meter, meter_maybe = count("MeterValues", 1)
    stop, stop_maybe = count("StopTransaction", STOP_ELEMENTS)
    return {
        "transactions": count("StartTransaction", 1),
        "completed": count("StopTransaction", 1),
        "meter values": (meter + stop, meter_maybe + stop_maybe),
    }
