"""What a simulated OCPP 2.0.1 / 2.1 station sends in each phase of the load.

setup: BootNotification, StatusNotification Available for EVSE 1 and EVSE 2 (one connector
each).
steady: Authorize, StatusNotification Occupied, TransactionEvent Started (seqNo 0, the
station's own transactionId, idToken, Transaction.Begin meter value); TransactionEvent Updated
(MeterValuePeriodic, eight sampled values, seqNo + 1 each) and Heartbeats.
close: TransactionEvent Ended (Transaction.End meter value) and StatusNotification Available.
storm (after the server restarted, mid-transaction): BootNotification, StatusNotification
Occupied for EVSE 1 and Available for EVSE 2; the transaction goes on.
"""

from __future__ import annotations

from collections.abc import Callable

import ocpp2x_frames as frames
from ocpp2x_frames import ENDED, STARTED, UPDATED
from station_client import StationClient

EVSE, CONNECTOR = 1, 1
STATUS_EVSES = (1, 2)
SETUP_CALLS = "BootNotification, 2 StatusNotification"
TRANSACTION_EVENT = "TransactionEvent"

Expected = tuple[int, int]  # rows the answered CALLs wrote, rows unanswered ones may add


def label(event_type: str) -> str:
    return f"{TRANSACTION_EVENT} {event_type}"


class Station2x:
    """One 2.0.1 or 2.1 station's session state: its transaction id and next seqNo."""

    def __init__(self, client: StationClient, id_tag: str) -> None:
        self.client = client
        self.id_tag = id_tag
        self.transaction_id = ""
        self.seq_no = 0
        self.transactions = 0
        self.boot_status = ""  # of the last BootNotification

    async def set_up(self, phase: str = "setup") -> bool:
        """Boot and report every EVSE; in the storm phase EVSE 1 is charging."""
        model = f"Bench-{self.client.version}"
        boot = await self.client.call(
            phase, "BootNotification", frames.boot_notification(self.client.identity, model)
        )
        self.boot_status = boot.get("status", "")
        if self.boot_status != "Accepted":
            return False
        for evse_id in STATUS_EVSES:
            occupied = phase == "storm" and evse_id == EVSE
            await self._status(phase, evse_id, "Occupied" if occupied else "Available")
        return True

    async def start(self, energy_wh: int, *, authorize: bool) -> bool:
        """Start charging; True when the CSMS accepted the id token."""
        if authorize:
            await self.client.call("steady", "Authorize", frames.authorize(self.id_tag))
        await self._status("steady", EVSE, "Occupied")
        self.transactions += 1
        # Unique per station for life (E01.FR.08), at most 36 characters.
        self.transaction_id = f"{self.client.identity}-{self.transactions}"
        self.seq_no = 0
        started = await self._event(
            STARTED,
            "Authorized",
            frames.meter_value_element(energy_wh, 0, "Transaction.Begin"),
            evse={"id": EVSE, "connectorId": CONNECTOR},
            idToken=frames.id_token(self.id_tag),
        )
        return started.get("idTokenInfo", {}).get("status") == "Accepted"

    async def meter(self, energy_wh: int, power_w: int) -> None:
        element = frames.meter_value_element(energy_wh, power_w, "Sample.Periodic")
        await self._event(UPDATED, "MeterValuePeriodic", element)

    async def heartbeat(self) -> None:
        await self.client.call("steady", "Heartbeat", frames.heartbeat())

    async def stop(self, energy_wh: int) -> None:
        await self._event(
            ENDED,
            "StopAuthorized",
            frames.meter_value_element(energy_wh, 0, "Transaction.End"),
            phase="close",
            info={"stoppedReason": "Local", "chargingState": "EVConnected"},
            idToken=frames.id_token(self.id_tag),
        )
        await self._status("close", EVSE, "Available")

    async def _event(
        self,
        event_type: str,
        trigger: str,
        element: frames.Payload,
        *,
        phase: str = "steady",
        **extra: frames.Payload,
    ) -> frames.Payload:
        seq_no = self.seq_no
        # A lost Updated still uses up its seqNo: the CSMS must tolerate gaps (E12.FR.04/05).
        self.seq_no += 1
        extra.setdefault("info", {"chargingState": "Charging"})
        payload = frames.transaction_event(
            event_type, seq_no, self.transaction_id, trigger, element, **extra
        )
        return await self.client.call(phase, TRANSACTION_EVENT, payload, label(event_type))

    async def _status(self, phase: str, evse_id: int, status: str) -> None:
        await self.client.call(
            phase, "StatusNotification", frames.status_notification(evse_id, CONNECTOR, status)
        )


def expected_rows(count: Callable[[str, int], Expected]) -> dict[str, Expected]:
    """Rows of this version's transaction tables, from `count(label, rows per CALL)`."""
    events = [count(label(event_type), 1) for event_type in (STARTED, UPDATED, ENDED)]
    # One meterValue element in every TransactionEvent.
    both = (sum(n for n, _ in events), sum(maybe for _, maybe in events))
    return {
        "transactions": count(label(STARTED), 1),
        "completed": count(label(ENDED), 1),
        "transaction events": both,
        "meter values": both,
    }
