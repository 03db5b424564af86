"""The OCPP endpoint: one consumer per station socket, transport only.

It authenticates the station at the upgrade, picks the subprotocol, frames and answers
malformed input, logs every frame, and hands CALLs to the version's session (a separate
object, never a base class) through a queue served by its own task, so the consumer's dispatch
loop is never blocked waiting on the station (DESIGN §2, "Two objects per socket").

Nothing in a charger's answer waits on Redis: the channel layer only wakes this consumer for
commands and notices (in memory when they come from this process), and its receive waits out a
Redis outage instead of ending the consumer (`backoffice.lib.channel_layer`); live events and
Celery tasks leave through outboxes.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import ocpp.messages
import structlog
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from backoffice.daphne_patches import close_codes, upgrade_refusals
from backoffice.lib import channel_layer, client_address, forwarded_tls, task_outbox
from backoffice.lib import live_publisher as live
from stations.models import MessageLog
from stations.services.charging import connections
from stations.services.security import security_events, station_auth

from . import commands as bus
from . import framing, graceful_stop, versions, waiting_frames
from .db import run_db
from .message_log import writer as message_log
from .session import OcppSession, StationContext
from .waiting_frames import WaitingFrames, frame_bytes

log = structlog.get_logger(__name__)


CLOSE_PROTOCOL_ERROR = 1002
CLOSE_REPLACED = 4000
CLOSE_POLICY_VIOLATION = 1008  # access revoked: the charger reconnects under the new rules
_IN, _OUT = MessageLog.Direction.IN, MessageLog.Direction.OUT
# The database is unreachable (down, restarting, connection lost): a passing condition.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


class _Connection:
    """What the session sees of the socket: send (logged) and close."""

    def __init__(self, consumer: OcppConsumer) -> None:
        self._consumer = consumer

    async def send(self, text: str) -> None:
        # Used by the ocpp package's outbound call(): frame fields are read back for the log.
        message_type, message_id, action = _log_fields(text)
        await self.send_frame(text, message_type=message_type, message_id=message_id, action=action)

    async def send_frame(
        self, text: str, *, message_type: int, message_id: str, action: str
    ) -> None:
        consumer = self._consumer
        if consumer.closing:
            return
        message_log.append(
            station_identity=consumer.identity,
            station_pk=consumer.station_pk,
            direction=_OUT,
            frame=text,
            message_type=message_type,
            message_id=message_id,
            action=action,
        )
        await consumer.send(text_data=text)

    async def close(self, code: int) -> None:
        await self._consumer.close_socket(code)


class OcppConsumer(AsyncWebsocketConsumer):
    identity: str
    station_pk: int | None = None
    session: OcppSession | None = None
    closing: bool = False
    # The process is stopping: CALLs received from now on are not taken (graceful_stop).
    finishing: bool = False

    async def connect(self) -> None:
        self.identity = self.scope["url_route"]["kwargs"].get("station_id") or ""
        if graceful_stop.sockets.stopping:
            # A socket here would be dropped in a moment: HTTP 503 tells the charger to retry.
            await self.close(code=upgrade_refusals.TRY_AGAIN_LATER)
            return
        # Before accept(): every frame the socket will deliver is counted (back-pressure).
        self._waiting = WaitingFrames(self.scope)
        session_class = versions.choose(self.scope.get("subprotocols") or [])
        headers = dict(self.scope.get("headers") or [])
        authorization = headers.get(b"authorization", b"").decode("latin-1") or None
        remote_addr = client_address.from_asgi_scope(self.scope)
        try:
            admission = await run_db(station_auth.authenticate)(
                identity=self.identity,
                authorization=authorization,
                secure=forwarded_tls.is_secure(self.scope),
                remote_addr=remote_addr,
                client_certificate=forwarded_tls.client_certificate(self.scope),
            )
        except DATABASE_UNAVAILABLE as err:
            # Not the station's fault nor our bug (HTTP 500): 503 tells the charger to retry.
            log.warning(
                "ocpp.upgrade_refused_database_unavailable", identity=self.identity, error=str(err)
            )
            await self.close(code=upgrade_refusals.TRY_AGAIN_LATER)
            return
        if admission.station_id is None:  # not admitted
            # The address's back-off is waited here, off the database threads.
            await asyncio.sleep(admission.delay)
            # Refused before accept(): daphne answers the upgrade with HTTP 403.
            await self.close()
            return
        if session_class is None:
            # OCPP-J §3.2: finish the handshake without Sec-WebSocket-Protocol, then close.
            log.warning(
                "ocpp.no_common_subprotocol",
                identity=self.identity,
                offered=self.scope.get("subprotocols"),
            )
            await self.accept()
            await self.close(code=CLOSE_PROTOCOL_ERROR)
            return
        await self.accept(subprotocol=session_class.subprotocol)
        opened_at = timezone.now()
        self.station_pk = admission.station_id
        context = StationContext(
            pk=admission.station_id,
            identity=self.identity,
            registration_status=admission.registration_status,
        )
        self.session = session_class(station=context, connection=_Connection(self))
        # Bounded through self._waiting: the server stops reading past its limits.
        # None ends the queue: the process is stopping (stop_taking_calls).
        self._calls: asyncio.Queue[tuple[framing.Call | framing.Send, int] | None] = asyncio.Queue()
        self._inflight: set[str] = set()
        self._call_task = asyncio.create_task(self._serve_calls(self.session))
        self._command_tasks: set[asyncio.Task[None]] = set()
        self._disconnected = asyncio.Event()
        _open_channels.add(self.channel_name)
        graceful_stop.sockets.open.add(self)
        # Commands and notices from this very process need no Redis (nor wait for it).
        self._stop_local = channel_layer.serve_locally(
            self.channel_layer, self.channel_name, self.dispatch
        )
        try:
            registration = await run_db(connections.register)(
                station_id=admission.station_id,
                channel_name=self.channel_name,
                ocpp_version=session_class.ocpp_version,
                remote_addr=remote_addr,
                opened_at=opened_at,
                open_channels=frozenset(_open_channels),
            )
        except BaseException:
            # The server gave up on this socket (or registering failed): disconnect() will not
            # run, and the registry beat sweeps what register left once the channel is gone.
            _open_channels.discard(self.channel_name)
            graceful_stop.sockets.open.discard(self)
            self._stop_local()
            self._call_task.cancel()
            raise
        if registration.superseded:
            # A newer socket of this station registered before this one could: it wins.
            log.warning("ocpp.connection_superseded", identity=self.identity)
            await self.close_socket(CLOSE_REPLACED)
            return
        if registration.replaced_channel:
            # In its own task: a frozen Redis would hold this socket's first frames meanwhile.
            notice = asyncio.create_task(self._tell_replaced(registration.replaced_channel))
            _notices.add(notice)
            notice.add_done_callback(_notices.discard)
        _registry_beat.ensure_running()
        live.start_flusher()
        task_outbox.start()
        log.info("ocpp.connected", identity=self.identity, version=session_class.ocpp_version)

    async def _tell_replaced(self, channel: str) -> None:
        """Tell the older socket's consumer (maybe in another process) to close itself.

        Best effort: the registry already names this connection, so the station is served
        whatever happens to the notice. A channel layer failure (Redis down, its connection
        pool exhausted by a reconnect storm) is logged; it must not close this socket.
        """
        try:
            await self.channel_layer.send(channel, {"type": "ocpp.replaced"})
        except Exception:
            log.warning(
                "ocpp.replaced_notice_failed",
                identity=self.identity,
                channel=channel,
                exc_info=True,
            )

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.receive":
            # Frames skip channels' close_old_connections() hop: it runs on the one database
            # thread, queued behind the running CALL's queries, so a frame was looked at only
            # once the CALL before it had been answered and a CALL reusing the message id of
            # one in flight was never seen as a duplicate. run_db closes old connections itself.
            await self.websocket_receive(message)
            return
        await super().dispatch(message)

    async def ocpp_command(self, event: dict[str, Any]) -> None:
        """The command bus woke us: send the command's CALL, in its own task."""
        if self.session is not None and not self.closing:
            bus.spawn(self.session, event["command_id"], self._command_tasks)

    async def ocpp_replaced(self, event: dict[str, Any]) -> None:
        """A newer authenticated connection of this station took over: close this one."""
        log.warning("ocpp.connection_replaced", identity=self.identity)
        await self.close_socket(CLOSE_REPLACED)

    async def ocpp_revoked(self, event: dict[str, Any]) -> None:
        """The station's password, profile, activity or registration changed (station_access)."""
        log.warning("ocpp.access_revoked", identity=self.identity, reason=event.get("reason"))
        await self.close_socket(CLOSE_POLICY_VIOLATION)

    async def close_socket(self, code: int) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=code)

    def stop_taking_calls(self) -> asyncio.Task[None]:
        """Take no CALL from now on; the task returned ends once those taken are answered."""
        self.finishing = True
        self._calls.put_nowait(None)
        return self._call_task

    async def wait_disconnected(self) -> None:
        """Return once disconnect() has run (the registry no longer names this socket)."""
        await self._disconnected.wait()

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        refused = message.get(close_codes.REFUSED_MESSAGE_BYTES)
        try:
            if refused is not None and self.session is not None:
                await self._record_refused_frame(refused)
        finally:
            await super().websocket_disconnect(message)

    async def _record_refused_frame(self, size: int) -> None:
        """The server refused a frame over OCPP_MAX_FRAME_BYTES unread and closed with 1009:
        operators see the attempt in the message log and the security events."""
        note = (
            f"(refused unread: a message of {size} bytes, over the limit of "
            f"{settings.OCPP_MAX_FRAME_BYTES}; closed with 1009)"
        )
        message_log.append(
            station_identity=self.identity, station_pk=self.station_pk, direction=_IN, frame=note
        )
        assert self.station_pk is not None  # noqa: S101 - set with the session
        await run_db(security_events.record_event)(
            station_id=self.station_pk,
            type=security_events.FRAME_TOO_BIG,
            timestamp=timezone.now(),
            tech_info=note,
            raised_by_backoffice=True,
        )

    async def disconnect(self, code: int) -> None:
        self.closing = True
        if self.session is None:
            return
        self._call_task.cancel()
        for task in list(self._command_tasks):
            task.cancel()  # its command stays "sent" and its caller times it out
        try:
            await run_db(connections.unregister)(
                station_id=self.session.station.pk, channel_name=self.channel_name
            )
        finally:
            _open_channels.discard(self.channel_name)
            graceful_stop.sockets.open.discard(self)
            self._disconnected.set()
            self._stop_local()
        log.info(
            "ocpp.disconnected",
            identity=self.identity,
            code=code,
            reading_paused=self._waiting.pauses,
        )

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        size = frame_bytes(text_data, bytes_data)
        queued = False
        try:
            queued = await self._take(text_data, bytes_data, size)
        finally:
            if not queued:
                self._waiting.done(size, queued=False)

    async def _take(self, text_data: str | None, bytes_data: bytes | None, size: int) -> bool:
        """Handle a frame; True when it was queued for the call task (which then releases it).

        Answers to our own CALLs are handled here at once, never behind queued CALLs.
        """
        if self.session is None or self.closing:
            return False
        connections.touch(self.session.station.pk)
        if text_data is None:
            message_log.append(
                station_identity=self.identity,
                station_pk=self.station_pk,
                direction=_IN,
                frame=repr(bytes_data)[:2000],
            )
            await self._answer_error(
                framing.UNREADABLE_ID, self.session.errors.framing, "Binary frames are not OCPP-J"
            )
            return False
        try:
            message = framing.parse(
                text_data, self.session.errors, self.session.extra_message_types
            )
        except framing.FrameError as err:
            message_log.append(
                station_identity=self.identity,
                station_pk=self.station_pk,
                direction=_IN,
                frame=text_data,
            )
            log.info("ocpp.bad_frame", identity=self.identity, code=err.code, reason=str(err))
            await self._answer_error(err.message_id, err.code, err.description)
            return False
        if isinstance(message, framing.Call | framing.Send):
            return await self._queue_call(text_data, message, size)
        self._log_in(text_data, message)
        if isinstance(message, framing.CallResultError):
            # The station says our CALLRESULT was wrong: our bug, kept in the log for operators.
            log.error(
                "ocpp.callresulterror_received",
                identity=self.identity,
                message_id=message.message_id,
                code=message.code,
                description=message.description,
            )
        elif isinstance(message, framing.CallResult | framing.CallError):
            if not self.session.accept_response(_as_ocpp_message(message)):
                log.info(
                    "ocpp.unsolicited_response_dropped",
                    identity=self.identity,
                    message_id=message.message_id,
                )
        else:
            log.info("ocpp.frame_ignored", identity=self.identity, reason=message.reason)
        return False

    async def _queue_call(self, text: str, message: framing.Call | framing.Send, size: int) -> bool:
        """Queue a CALL or SEND for the call task; False when it was answered or refused here."""
        assert self.session is not None  # noqa: S101 - checked by _take
        if isinstance(message, framing.Call) and message.message_id in self._inflight:
            self._log_in(text, message)
            await self._answer_error(
                message.message_id,
                self.session.errors.duplicate_call,
                "A CALL with this message id is still being processed",
                message.action,
            )
            return False
        if self.finishing:
            # Unanswered, the charger keeps it and sends it again once reconnected.
            self._log_in(text, message)
            log.info("ocpp.call_not_taken_stopping", identity=self.identity, action=message.action)
            return False
        if not self._waiting.queue(size):
            await self._refuse_flood(message, size)
            return False
        self._log_in(text, message)
        if isinstance(message, framing.Call):
            self._inflight.add(message.message_id)
        # A SEND is unconfirmed, but processed in order with the CALLs around it.
        self._calls.put_nowait((message, size))
        return True

    async def _refuse_flood(self, message: framing.Call | framing.Send, size: int) -> None:
        """Frames piled up past twice the limits (the server could not stop reading the
        socket): refuse this one, close with 1008, and let operators see why."""
        note = self._waiting.refusal_note(message.action, message.message_id, size)
        log.warning("ocpp.flood_closed", identity=self.identity, note=note)
        message_log.append(
            station_identity=self.identity, station_pk=self.station_pk, direction=_IN, frame=note
        )
        await self.close_socket(CLOSE_POLICY_VIOLATION)
        await waiting_frames.record_event(station_pk=self.station_pk, tech_info=note)

    async def _serve_calls(self, session: OcppSession) -> None:
        """Answer CALLs one at a time, in arrival order, until the queue is ended."""
        while not self.closing:
            item = await self._calls.get()
            if item is None:
                return
            message, size = item
            if self._waiting.first_pause_unreported():
                # Once per socket; this station's own CALLs wait for it, no one else's.
                await waiting_frames.record_event(
                    station_pk=self.station_pk, tech_info=waiting_frames.paused_note()
                )
            try:
                if isinstance(message, framing.Send):
                    await session.handle_send(message)
                else:
                    await session.handle_call(message)
            except Exception:
                log.exception(
                    "ocpp.call_task_failed", identity=self.identity, action=message.action
                )
            finally:
                if isinstance(message, framing.Call):
                    self._inflight.discard(message.message_id)
                self._waiting.done(size, queued=True)

    async def _answer_error(
        self, message_id: str, code: str, description: str, action: str = ""
    ) -> None:
        await _Connection(self).send_frame(
            framing.call_error_frame(message_id, code, description),
            message_type=framing.CALLERROR,
            message_id=message_id,
            action=action,
        )

    def _log_in(self, text: str, message: framing.Message | framing.Ignored) -> None:
        if isinstance(message, framing.Ignored):
            message_type, action = message.message_type, ""
        elif isinstance(message, framing.Call):
            message_type, action = framing.CALL, message.action
        elif isinstance(message, framing.Send):
            message_type, action = framing.SEND, message.action
        elif isinstance(message, framing.CallResult):
            message_type, action = framing.CALLRESULT, ""
        elif isinstance(message, framing.CallResultError):
            message_type, action = framing.CALLRESULTERROR, ""
        else:
            message_type, action = framing.CALLERROR, ""
        message_log.append(
            station_identity=self.identity,
            station_pk=self.station_pk,
            direction=_IN,
            frame=text,
            message_type=message_type,
            message_id=message.message_id,
            action=action,
        )


def _as_ocpp_message(message: framing.CallResult | framing.CallError) -> Any:
    """The `ocpp` package's own message objects, for its ChargePoint.call()."""
    if isinstance(message, framing.CallResult):
        return ocpp.messages.CallResult(message.message_id, message.payload)
    return ocpp.messages.CallError(
        message.message_id, message.code, message.description, message.details
    )


def _log_fields(text: str) -> tuple[int, str, str]:
    frame = json.loads(text)
    action = frame[2] if frame[0] == framing.CALL else ""
    return frame[0], frame[1], action


class _RegistryBeat:
    """One task per process keeping this worker alive in the connection registry."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(settings.OCPP_WORKER_HEARTBEAT_SECONDS)
            try:
                await run_db(connections.beat)()
                await run_db(connections.sweep)(open_channels=set(_open_channels))
            except Exception:
                log.exception("connections.beat_failed")


_registry_beat = _RegistryBeat()
# Replaced-socket notices being sent (kept referenced until done: the loop holds weak ones).
_notices: set[asyncio.Task[None]] = set()
# Channels of this process's sockets that are open or registering (see connections.sweep).
_open_channels: set[str] = set()
