"""Real OCPP chargers for the sync browser tests: the async client runs on its own event loop
in a background thread (Playwright's sync API owns the test's thread).

`ChargerThread` is a bare booted charger the test plays by hand; `SimulatedCharger` charges on
its own once the back office starts it remotely, as a driver's portal start needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ocpp.exceptions import NotImplementedError as OcppNotImplemented
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from tests.ocpp_client import booted
from tests.server import LiveOcppServer


class ChargerThread:
    """`with ChargerThread(server, "CP-1") as charger: charger.call(call16.Heartbeat())`:
    connected and booted (`booted(...)`) on entry, disconnected on exit."""

    def __init__(self, server: LiveOcppServer, identity: str, **kw: Any) -> None:
        self._server, self._identity, self._kw = server, identity, kw
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stack: contextlib.AsyncExitStack | None = None
        self.cp: Any = None

    def run(self, awaitable: Awaitable[Any], timeout: float = 30) -> Any:
        async def wrapped() -> Any:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(wrapped(), self._loop).result(timeout)

    def call(self, payload: Any) -> Any:
        """Send one CALL as the charger and return the back office's answer."""
        return self.run(self.cp.call(payload))

    def __enter__(self) -> ChargerThread:
        self._thread.start()

        async def connect() -> None:
            self._stack = contextlib.AsyncExitStack()
            self.cp = await self._stack.enter_async_context(
                booted(self._server, self._identity, **self._kw)
            )

        try:
            self.run(connect())
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._stack is not None:
                self.run(self._stack.aclose())
        finally:
            self._stop()

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


# --- a charger that charges -------------------------------------------------------------------

SUBPROTOCOLS = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1", "2.1": "ocpp2.1"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class SimulatedTransaction:
    """One transaction the simulator runs: its meter and why it ended."""

    evse_id: int
    connector_id: int
    id_tag: str
    meter_start_wh: int
    transaction_id: str = ""  # 1.6: the back office's number (as text); 2.x: ours
    remote_start_id: int | None = None
    meter_wh: int = 0
    soc: int = 0
    ticks: int = 0
    started_monotonic: float = field(default_factory=time.monotonic)
    authorization: dict[str, Any] = field(default_factory=dict)  # idTagInfo / idTokenInfo
    limit: dict[str, Any] = field(default_factory=dict)  # 2.1 transactionLimit, camelCase
    stop_reason: str = ""  # set to end it: "Remote", "EnergyLimitReached", ...
    ended: bool = False

    @property
    def delivered_wh(self) -> int:
        return self.meter_wh - self.meter_start_wh


class SimulatedCharger:
    """A charger of `version` that boots, reports its connectors Available and charges when the
    back office starts it remotely.

    A remote start (1.6 RemoteStartTransaction, 2.x RequestStartTransaction) is Accepted, then
    the transaction starts (1.6 StartTransaction with the idTag; 2.x TransactionEvent Started
    with the remoteStartId, chargingState Charging) and every `interval` seconds a meter report
    follows (1.6 MeterValues, 2.x TransactionEvent Updated) with a rising energy register
    (`wh_per_tick` a report: a fast clock, so limits are reached in seconds), the power and the
    car's state of charge. A remote stop is Accepted and ends it (StopTransaction /
    TransactionEvent Ended). A 2.1 transactionLimit in a TransactionEventResponse is honoured
    (the transaction ends with EnergyLimitReached / TimeLimitReached).

    Every CALL received is recorded in `received` as (action, payload); commands without a
    handler are answered NotImplemented. Use as a context manager (connected on entry).
    """

    def __init__(
        self,
        server: LiveOcppServer,
        identity: str,
        *,
        version: str = "1.6",
        connectors: tuple[tuple[int, int], ...] = ((1, 1),),
        meter_start_wh: int = 10_000,
        wh_per_tick: int = 250,
        power_w: int = 11_000,
        soc_start: int = 40,
        interval: float = 0.5,
        initial_status: str = "Available",
    ) -> None:
        self.version = version
        self.identity = identity
        self.connectors = connectors  # (evse id, connector id); 1.6 uses the connector id
        self.meter_wh = meter_start_wh  # the charger's register, kept between transactions
        self.wh_per_tick = wh_per_tick
        self.power_w = power_w  # set to 0 to play a car that stopped drawing power
        self.soc = soc_start
        self.interval = interval
        # True: a running transaction sends no meter report until it is False again (a test
        # holds the meter while its page gets ready to watch).
        self.hold = False
        self.initial_status = initial_status
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.transactions: list[SimulatedTransaction] = []
        self.errors: list[BaseException] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._seq = itertools.count()
        self._thread = ChargerThread(
            server,
            identity,
            subprotocol=SUBPROTOCOLS[version],
            client_class=_client_class(self),
        )

    # --- the test's side (sync) -----------------------------------------------------------

    def __enter__(self) -> SimulatedCharger:
        self._thread.__enter__()
        try:
            for evse_id, connector_id in self.connectors:
                self.set_status(self.initial_status, evse_id=evse_id, connector_id=connector_id)
        except BaseException:
            self._thread.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        async def cancel() -> None:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        try:
            self._thread.run(cancel())
        finally:
            self._thread.__exit__(*exc)

    def call(self, payload: Any) -> Any:
        """Send one CALL of our own (a status, a heartbeat) and return the answer."""
        return self._thread.call(payload)

    def set_status(self, status: str, *, evse_id: int = 1, connector_id: int = 1) -> None:
        """Report a connector's status as the version says it (2.x has no Charging/Faulted
        split of 1.6: Occupied, Faulted, Unavailable, Available, Reserved)."""
        if self.version == "1.6":
            error_code = "OtherError" if status == "Faulted" else "NoError"
            self.call(
                call16.StatusNotification(
                    connector_id=connector_id,
                    error_code=error_code,
                    status=status,
                    timestamp=now_iso(),
                )
            )
        else:
            calls = call201 if self.version == "2.0.1" else call21
            self.call(
                calls.StatusNotification(
                    timestamp=now_iso(),
                    connector_status=status,
                    evse_id=evse_id,
                    connector_id=connector_id,
                )
            )

    @property
    def active(self) -> SimulatedTransaction | None:
        return next((tx for tx in self.transactions if not tx.ended), None)

    def wait_for(self, check: Callable[[], Any], timeout: float = 15) -> Any:
        """Poll `check` (reading this charger's records) until it returns something truthy."""
        deadline = time.monotonic() + timeout
        while True:
            if self.errors:
                raise AssertionError(f"the simulated charger failed: {self.errors!r}")
            result = check()
            if result or time.monotonic() > deadline:
                return result
            time.sleep(0.05)

    def commands(self, action: str) -> list[dict[str, Any]]:
        """The payloads of the CALLs of `action` the back office sent us."""
        return [payload for name, payload in self.received if name == action]

    def stop_locally(self, reason: str = "Local") -> None:
        """End the active transaction as if the driver unplugged or badged off."""
        tx = self.active
        assert tx is not None, "no transaction is running"
        tx.stop_reason = reason

    # --- the charger's side (on its loop) -------------------------------------------------

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        async def guarded() -> None:
            try:
                await coroutine
            except asyncio.CancelledError:
                raise
            except BaseException as error:  # surfaced to the test by wait_for
                self.errors.append(error)

        task = asyncio.ensure_future(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _pick_connector(self, evse_id: int | None, connector_id: int | None) -> tuple[int, int]:
        for evse, connector in self.connectors:
            if self.version == "1.6" and connector_id in (None, connector):
                return evse, connector
            if self.version != "1.6" and evse_id in (None, evse):
                return evse, connector
        raise ValueError(f"no connector evse={evse_id} connector={connector_id}")

    def _begin(self, evse_id: int, connector_id: int, id_tag: str) -> SimulatedTransaction:
        tx = SimulatedTransaction(
            evse_id=evse_id,
            connector_id=connector_id,
            id_tag=id_tag,
            meter_start_wh=self.meter_wh,
            meter_wh=self.meter_wh,
            soc=self.soc,
        )
        self.transactions.append(tx)
        return tx

    async def _wait_tick(self, tx: SimulatedTransaction) -> None:
        deadline = time.monotonic() + self.interval
        while not tx.stop_reason and (self.hold or time.monotonic() < deadline):
            await asyncio.sleep(0.02)

    def _advance(self, tx: SimulatedTransaction) -> None:
        tx.ticks += 1
        if self.power_w > 0:
            tx.meter_wh += self.wh_per_tick
            tx.soc = min(100, tx.soc + 1)
        self.meter_wh, self.soc = tx.meter_wh, tx.soc

    def _power_now(self, tx: SimulatedTransaction) -> int:
        # The power wanders a little, as a car's does, so every report differs.
        return self.power_w + (tx.ticks % 5) * 100 if self.power_w > 0 else 0

    # 1.6 ------------------------------------------------------------------------------------

    def _sampled16(self, tx: SimulatedTransaction, context: str) -> list[dict[str, Any]]:
        return [
            {
                "timestamp": now_iso(),
                "sampledValue": [
                    {
                        "value": str(tx.meter_wh),
                        "context": context,
                        "measurand": "Energy.Active.Import.Register",
                        "unit": "Wh",
                    },
                    {
                        "value": str(self._power_now(tx)),
                        "context": context,
                        "measurand": "Power.Active.Import",
                        "unit": "W",
                    },
                    {
                        "value": str(tx.soc),
                        "context": context,
                        "measurand": "SoC",
                        "location": "EV",
                        "unit": "Percent",
                    },
                ],
            }
        ]

    async def _status16(self, cp: Any, connector_id: int, status: str) -> None:
        await cp.call(
            call16.StatusNotification(
                connector_id=connector_id, error_code="NoError", status=status, timestamp=now_iso()
            )
        )

    async def _charge16(self, cp: Any, tx: SimulatedTransaction) -> None:
        await self._status16(cp, tx.connector_id, "Preparing")
        started = await cp.call(
            call16.StartTransaction(
                connector_id=tx.connector_id,
                id_tag=tx.id_tag,
                meter_start=tx.meter_start_wh,
                timestamp=now_iso(),
            )
        )
        tx.transaction_id = str(started.transaction_id)
        tx.authorization = started.id_tag_info
        if started.id_tag_info.get("status") != "Accepted":
            tx.stop_reason = "DeAuthorized"
        else:
            await self._status16(cp, tx.connector_id, "Charging")
        while not tx.stop_reason:
            await self._wait_tick(tx)
            if tx.stop_reason:
                break
            self._advance(tx)
            await cp.call(
                call16.MeterValues(
                    connector_id=tx.connector_id,
                    transaction_id=started.transaction_id,
                    meter_value=self._sampled16(tx, "Sample.Periodic"),
                )
            )
        await cp.call(
            call16.StopTransaction(
                meter_stop=tx.meter_wh,
                timestamp=now_iso(),
                transaction_id=started.transaction_id,
                reason=tx.stop_reason,
                transaction_data=self._sampled16(tx, "Transaction.End"),
            )
        )
        tx.ended = True
        await self._status16(cp, tx.connector_id, "Finishing")
        await self._status16(cp, tx.connector_id, "Available")

    # 2.x ------------------------------------------------------------------------------------

    def _sampled2x(self, tx: SimulatedTransaction, context: str) -> list[dict[str, Any]]:
        return [
            {
                "timestamp": now_iso(),
                "sampledValue": [
                    {
                        "value": tx.meter_wh,
                        "context": context,
                        "measurand": "Energy.Active.Import.Register",
                        "unitOfMeasure": {"unit": "Wh"},
                    },
                    {
                        "value": self._power_now(tx),
                        "context": context,
                        "measurand": "Power.Active.Import",
                        "unitOfMeasure": {"unit": "W"},
                    },
                    {
                        "value": tx.soc,
                        "context": context,
                        "measurand": "SoC",
                        "location": "EV",
                        "unitOfMeasure": {"unit": "Percent"},
                    },
                ],
            }
        ]

    def _take_limit(self, tx: SimulatedTransaction, response: Any) -> None:
        limit = getattr(response, "transaction_limit", None)
        if limit:
            # The client hands the answer over in snake_case; keep OCPP's names.
            names = {"max_energy": "maxEnergy", "max_time": "maxTime", "max_cost": "maxCost"}
            tx.limit = {names.get(key, key): value for key, value in limit.items()}

    def _limit_reached(self, tx: SimulatedTransaction) -> str:
        max_energy = tx.limit.get("maxEnergy")
        if max_energy is not None and tx.delivered_wh >= float(max_energy):
            return "EnergyLimitReached"
        max_time = tx.limit.get("maxTime")
        if max_time is not None and time.monotonic() - tx.started_monotonic >= float(max_time):
            return "TimeLimitReached"
        return ""

    async def _charge2x(self, cp: Any, tx: SimulatedTransaction, id_token: dict) -> None:
        calls = call201 if self.version == "2.0.1" else call21
        tx.transaction_id = f"{self.identity}-TX-{len(self.transactions)}"

        async def event(
            event_type: str, trigger: str, context: str, extra: dict | None = None, **info: Any
        ) -> Any:
            return await cp.call(
                calls.TransactionEvent(
                    event_type=event_type,
                    timestamp=now_iso(),
                    trigger_reason=trigger,
                    seq_no=next(self._seq),
                    transaction_info={"transactionId": tx.transaction_id, **info},
                    meter_value=self._sampled2x(tx, context),
                    **(extra or {}),
                )
            )

        await cp.call(
            calls.StatusNotification(
                timestamp=now_iso(),
                connector_status="Occupied",
                evse_id=tx.evse_id,
                connector_id=tx.connector_id,
            )
        )
        started = await event(
            "Started",
            "RemoteStart",
            "Transaction.Begin",
            {"evse": {"id": tx.evse_id, "connectorId": tx.connector_id}, "id_token": id_token},
            chargingState="Charging",
            remoteStartId=tx.remote_start_id,
        )
        tx.authorization = started.id_token_info or {}
        self._take_limit(tx, started)
        if tx.authorization and tx.authorization.get("status") != "Accepted":
            tx.stop_reason = "DeAuthorized"
        while not tx.stop_reason:
            await self._wait_tick(tx)
            if tx.stop_reason:
                break
            self._advance(tx)
            updated = await event(
                "Updated",
                "MeterValuePeriodic",
                "Sample.Periodic",
                chargingState="Charging" if self.power_w > 0 else "SuspendedEV",
            )
            self._take_limit(tx, updated)
            # A stop asked for while the event was on its way wins.
            tx.stop_reason = tx.stop_reason or self._limit_reached(tx)
        triggers = {
            "Remote": "RemoteStop",
            "DeAuthorized": "Deauthorized",
            "Local": "StopAuthorized",
        }
        await event(
            "Ended",
            triggers.get(tx.stop_reason, tx.stop_reason),
            "Transaction.End",
            chargingState="EVConnected",
            stoppedReason=tx.stop_reason,
        )
        tx.ended = True
        await cp.call(
            calls.StatusNotification(
                timestamp=now_iso(),
                connector_status="Available",
                evse_id=tx.evse_id,
                connector_id=tx.connector_id,
            )
        )


def _client_class(sim: SimulatedCharger) -> type:
    """The `ocpp` ChargePoint subclass of the simulator's version, its handlers bound to
    `sim`."""
    base = {"1.6": _Simulated16, "2.0.1": _Simulated201, "2.1": _Simulated21}[sim.version]
    return type(base.__name__, (base,), {"sim": sim})


class _Recording:
    """Records every CALL; one without a handler is answered NotImplemented (the 2.1 client
    would leave it unanswered)."""

    sim: SimulatedCharger
    route_map: dict[str, Any]

    async def _handle_call(self, msg: Any) -> Any:
        self.sim.received.append((msg.action, msg.payload))
        if msg.action in self.route_map:
            return await super()._handle_call(msg)  # type: ignore[misc]
        raise OcppNotImplemented(details={"cause": f"No handler for {msg.action} registered."})


class _Simulated16(_Recording, ChargePoint16):
    @on("RemoteStartTransaction")
    async def on_remote_start(self, id_tag: str, connector_id: int | None = None, **kw: Any):
        busy = self.sim.active is not None
        return result16.RemoteStartTransaction(status="Rejected" if busy else "Accepted")

    @after("RemoteStartTransaction")
    async def after_remote_start(self, id_tag: str, connector_id: int | None = None, **kw: Any):
        if self.sim.active is None:
            _, connector = self.sim._pick_connector(None, connector_id)
            tx = self.sim._begin(connector, connector, id_tag)
            self.sim._spawn(self.sim._charge16(self, tx))

    @on("RemoteStopTransaction")
    async def on_remote_stop(self, transaction_id: int):
        tx = self.sim.active
        if tx is None or tx.transaction_id != str(transaction_id):
            return result16.RemoteStopTransaction(status="Rejected")
        tx.stop_reason = "Remote"
        return result16.RemoteStopTransaction(status="Accepted")

    @on("SendLocalList")
    async def on_send_local_list(self, **kw: Any):
        return result16.SendLocalList(status="Accepted")

    @on("ClearCache")
    async def on_clear_cache(self):
        return result16.ClearCache(status="Accepted")


class _Simulated2x(_Recording):
    results: Any

    @on("RequestStartTransaction")
    async def on_request_start(self, id_token: dict, remote_start_id: int, **kw: Any):
        busy = self.sim.active is not None
        return self.results.RequestStartTransaction(status="Rejected" if busy else "Accepted")

    @after("RequestStartTransaction")
    async def after_request_start(
        self, id_token: dict, remote_start_id: int, evse_id: int | None = None, **kw: Any
    ):
        if self.sim.active is None:
            evse, connector = self.sim._pick_connector(evse_id, None)
            value = id_token.get("id_token", id_token.get("idToken", ""))
            tx = self.sim._begin(evse, connector, value)
            tx.remote_start_id = remote_start_id
            token = {"idToken": value, "type": id_token["type"]}
            self.sim._spawn(self.sim._charge2x(self, tx, token))

    @on("RequestStopTransaction")
    async def on_request_stop(self, transaction_id: str, **kw: Any):
        tx = self.sim.active
        if tx is None or tx.transaction_id != transaction_id:
            return self.results.RequestStopTransaction(status="Rejected")
        tx.stop_reason = "Remote"
        return self.results.RequestStopTransaction(status="Accepted")

    @on("SendLocalList")
    async def on_send_local_list(self, **kw: Any):
        return self.results.SendLocalList(status="Accepted")

    @on("ClearCache")
    async def on_clear_cache(self, **kw: Any):
        return self.results.ClearCache(status="Accepted")


class _Simulated201(_Simulated2x, ChargePoint201):
    results = result201


class _Simulated21(_Simulated2x, ChargePoint21):
    results = result21
