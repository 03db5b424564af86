"""The protocol side of one station socket: an `ocpp` ChargePoint with our error handling.

The `ocpp` package gives the `@on` routing, the call/call_result dataclasses and the
outbound `call()`; this class replaces its inbound handling (`_handle_call`) so that every bad
input gets PROTOCOL.md's answer, schemas are checked by compiled validators, and our own
failure on a transaction message closes the socket instead of answering (the charger keeps the
message and retries). The version adapters (v16.py, ...) subclass it with thin handlers.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import structlog
from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.utils import timezone
from ocpp.charge_point import (
    ChargePoint,
    camel_to_snake_case,
    remove_nones,
    serialize_as_dict,
    snake_to_camel_case,
)

from stations.models import Station
from stations.services.charging import boot
from stations.services.local_lists import token_sync
from stations.services.types import BootInfo, BootResult

from . import validation
from .db import run_db
from .errors import ErrorCodes, OcppCallError
from .framing import (
    CALL,
    CALLERROR,
    CALLRESULT,
    Call,
    Send,
    call_error_frame,
    call_result_frame,
)

log = structlog.get_logger(__name__)

BOOT_NOTIFICATION = "BootNotification"
# WebSocket close code for "internal error": the charger reconnects and resends.
CLOSE_INTERNAL_ERROR = 1011


class Connection(Protocol):
    """What a session needs of its transport (the consumer)."""

    async def send(self, text: str) -> None: ...

    async def send_frame(
        self, text: str, *, message_type: int, message_id: str, action: str
    ) -> None: ...

    async def close(self, code: int) -> None: ...


@dataclass(slots=True)
class StationContext:
    pk: int
    identity: str
    registration_status: str

    @property
    def accepted(self) -> bool:
        return self.registration_status == Station.Registration.ACCEPTED


class OcppSession(ChargePoint):
    ocpp_version: ClassVar[str]
    subprotocol: ClassVar[str]
    schema_dir: ClassVar[str]
    errors: ClassVar[ErrorCodes]
    # Every action the version defines (a known action we do not handle is NotSupported).
    known_actions: ClassVar[frozenset[str]]
    # Failure on these closes the socket instead of answering (PROTOCOL.md, three cases).
    transaction_actions: ClassVar[frozenset[str]]
    # Message types beyond CALL/CALLRESULT/CALLERROR this version frames itself.
    extra_message_types: ClassVar[frozenset[int]] = frozenset()
    # Actions a station may send as an unconfirmed SEND (2.1).
    send_actions: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, *, station: StationContext, connection: Connection) -> None:
        super().__init__(
            station.identity, connection, response_timeout=settings.OCPP_RESPONSE_TIMEOUT
        )
        self._ocpp_version = self.ocpp_version
        self.station = station
        # Blocking work to start once the answer to the CALL being handled is sent, and the
        # tasks running it (kept referenced until they end).
        self._after_answer: list[Callable[[], Any]] = []
        self._follow_ups: set[asyncio.Task[Any]] = set()

    def request_schema(self, action: str) -> str:
        return action

    def send_schema(self, action: str) -> str:
        return action

    def response_schema(self, action: str) -> str:
        return f"{action}Response"

    async def register_boot(self, info: BootInfo) -> BootResult:
        """Record a BootNotification (every version answers it from this result)."""
        result = await run_db(boot.register)(
            station_id=self.station.pk,
            ocpp_version=self.ocpp_version,
            info=info,
            now=timezone.now(),
        )
        self.station.registration_status = result.status
        if result.status == Station.Registration.ACCEPTED:
            # Local-list changes made while the station was away, sent once it is accepted.
            self.after_answer(token_sync.station_booted, station_id=self.station.pk)
        return result

    def after_answer(self, func: Callable[..., Any], /, **kwargs: Any) -> None:
        """Run the blocking `func(**kwargs)` in a thread once the answer to the CALL being
        handled is sent (never when it is a CALLERROR): a follow-up CALL, such as
        CertificateSigned after SignCertificate, must reach the station after that answer, and
        waiting for the station's reply must hold neither the event loop nor a database thread
        of the OCPP handlers."""
        self._after_answer.append(functools.partial(func, **kwargs))

    async def handle_call(self, call: Call) -> None:
        """Answer one CALL: CALLRESULT, CALLERROR, or (our failure on a transaction) close."""
        self._after_answer = []
        try:
            payload = await self._dispatch(call)
        except OcppCallError as err:
            log.info("ocpp.call_error", station=self.id, action=call.action, code=err.code)
            await self._send_error(call.message_id, call.action, err)
            return
        except Exception:
            if call.action in self.transaction_actions:
                # Never CALLERROR a transaction message for our own failure: chargers drop it
                # after a few; closing makes the charger keep it and resend.
                log.exception(
                    "ocpp.transaction_failed_closing", station=self.id, action=call.action
                )
                await self._connection.close(code=CLOSE_INTERNAL_ERROR)
                return
            log.exception("ocpp.handler_failed", station=self.id, action=call.action)
            await self._send_error(
                call.message_id, call.action, OcppCallError(self.errors.internal, "Internal error")
            )
            return
        await self._connection.send_frame(
            call_result_frame(call.message_id, payload),
            message_type=CALLRESULT,
            message_id=call.message_id,
            action=call.action,
        )
        self._start_follow_ups(call.action)

    def _start_follow_ups(self, action: str) -> None:
        work, self._after_answer = self._after_answer, []
        for func in work:
            task = asyncio.get_running_loop().create_task(self._follow_up(func, action))
            self._follow_ups.add(task)
            task.add_done_callback(self._follow_ups.discard)

    async def _follow_up(self, func: Callable[[], Any], action: str) -> None:
        try:
            await DatabaseSyncToAsync(func, thread_sensitive=False)()
        except Exception:
            log.exception("ocpp.follow_up_failed", station=self.id, action=action)

    async def _dispatch(self, call: Call) -> dict[str, Any]:
        handlers = self.route_map.get(call.action, {})
        handler = handlers.get("_on_action")
        if call.action in self.send_actions:
            # A SEND-only action (2.1 NotifyPeriodicEventStream) has no response to answer with.
            raise OcppCallError(self.errors.not_supported, f"{call.action} is only sent as a SEND")
        if handler is None:
            if call.action in self.known_actions:
                raise OcppCallError(
                    self.errors.not_supported, f"{call.action} is not supported by the CSMS"
                )
            raise OcppCallError(
                self.errors.not_implemented,
                f"{call.action} is not an OCPP {self.ocpp_version} action",
            )
        if call.action != BOOT_NOTIFICATION and not self.station.accepted:
            raise OcppCallError(
                self.errors.security,
                f"Station is {self.station.registration_status}: only BootNotification is allowed",
            )
        request_validator = validation.validator(self.schema_dir, self.request_schema(call.action))
        request = validation.check_payload(request_validator, call.payload, self.errors)
        result = await handler(**to_snake(request))
        payload = to_camel(remove_nones(serialize_as_dict(result)))
        response_validator = validation.validator(
            self.schema_dir, self.response_schema(call.action)
        )
        if response_validator is not None:
            # Our own answer breaking the schema is our bug, handled as our failure.
            response_validator(payload)
        return payload

    async def _send_error(self, message_id: str, action: str, err: OcppCallError) -> None:
        await self._connection.send_frame(
            call_error_frame(message_id, err.code, err.description, err.details),
            message_type=CALLERROR,
            message_id=message_id,
            action=action,
        )

    async def handle_send(self, send: Send) -> None:
        """Process a 2.1 SEND: validated and routed like a CALL, never answered."""
        handler = self.route_map.get(send.action, {}).get("_on_action")
        if send.action not in self.send_actions or handler is None:
            log.warning("ocpp.send_dropped", station=self.id, action=send.action)
            return
        if not self.station.accepted:
            # Only BootNotification is processed while Pending/Rejected (B02.FR.09, B03.FR.07);
            # a SEND cannot be answered SecurityError, so it is dropped.
            log.warning(
                "ocpp.send_dropped_not_accepted",
                station=self.id,
                action=send.action,
                registration_status=self.station.registration_status,
            )
            return
        try:
            send_validator = validation.validator(self.schema_dir, self.send_schema(send.action))
            request = validation.check_payload(send_validator, send.payload, self.errors)
            await handler(**to_snake(request))
        except OcppCallError as err:
            log.warning(
                "ocpp.send_invalid",
                station=self.id,
                action=send.action,
                code=err.code,
                reason=err.description,
            )
        except Exception:
            log.exception("ocpp.send_failed", station=self.id, action=send.action)

    async def send_call(
        self,
        action: str,
        payload: dict[str, Any],
        *,
        message_id: str,
        timeout: float,
        before_send: Callable[[], Awaitable[Any]] | None = None,
    ) -> Any:
        """Send one CALL and return the station's CALLRESULT or CALLERROR (the `ocpp`
        package's message object). Raises TimeoutError. One CALL is outstanding at a time;
        `before_send` runs once this CALL's turn has come."""
        async with self._call_lock:
            if before_send is not None:
                await before_send()
            await self._connection.send_frame(
                json.dumps([CALL, message_id, action, payload]),
                message_type=CALL,
                message_id=message_id,
                action=action,
            )
            return await self._get_specific_response(message_id, timeout)

    def accept_response(self, message: Any) -> bool:
        """Hand a CALLRESULT/CALLERROR to an outstanding `call()`; False if none is waiting."""
        if not self._call_lock.locked():
            return False
        self._response_queue.put_nowait(message)
        return True


@functools.lru_cache(maxsize=4096)
def _snake_key(key: str) -> str:
    return next(iter(camel_to_snake_case({key: None})))


@functools.lru_cache(maxsize=4096)
def _camel_key(key: str) -> str:
    return next(iter(snake_to_camel_case({key: None})))


def to_snake(data: Any) -> Any:
    """The `ocpp` package's camelCase -> snake_case conversion, with the keys memoised."""
    if isinstance(data, dict):
        return {_snake_key(k): to_snake(v) for k, v in data.items()}
    if isinstance(data, list):
        return [to_snake(v) for v in data]
    return data


def to_camel(data: Any) -> Any:
    if isinstance(data, dict):
        return {_camel_key(k): to_camel(v) for k, v in data.items()}
    if isinstance(data, list):
        return [to_camel(v) for v in data]
    return data
