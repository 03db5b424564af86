"""The command bus, station side: the process holding the socket sends the CALL.

Runs in its own task per command, never inside the consumer's dispatch (a handler awaiting
the station's answer there would block the frames that carry it). The session's call lock
keeps one CALL outstanding per station; concurrent commands wait for it in order.
"""

from __future__ import annotations

import asyncio
import uuid

import structlog

from stations.services.commands import bus as commands

from .db import run_db
from .framing import CALLERROR
from .session import OcppSession

log = structlog.get_logger(__name__)


async def run(session: OcppSession, command_id: int) -> None:
    message_id = str(uuid.uuid4())
    command = await run_db(commands.claim)(command_id=command_id, message_id=message_id)
    if command is None:
        return  # a duplicated wake-up, or the caller gave up already
    try:
        response = await session.send_call(
            command.action,
            command.payload,
            message_id=message_id,
            timeout=commands.response_timeout(command),
            before_send=lambda: run_db(commands.mark_sent)(command_id=command_id),
        )
    except TimeoutError:
        log.warning("ocpp.command_timed_out", station=session.id, action=command.action)
        await run_db(commands.record_timeout)(command_id=command_id)
        return
    if response.message_type_id == CALLERROR:
        await run_db(commands.record_call_error)(
            command_id=command_id,
            code=response.error_code,
            description=response.error_description or "",
        )
    else:
        await run_db(commands.record_answer)(command_id=command_id, payload=response.payload)


def spawn(session: OcppSession, command_id: int, tasks: set[asyncio.Task[None]]) -> None:
    """Start `run` in its own task, kept referenced in `tasks` until it ends."""
    task = asyncio.get_running_loop().create_task(run(session, command_id))
    tasks.add(task)
    task.add_done_callback(tasks.discard)
