"""Send a version-neutral request to a station and read its answer (see `adapters`).

`send` hands the request to the adapter of the station's version, which builds and checks the
message; the bus sends it and waits; the adapter reads the answer (`Outcome.answer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from stations.models import Command
from stations.services.commands import bus
from stations.services.commands.adapters import Request, adapter_of
from stations.services.commands.bus import SYSTEM, Caller

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """A sent request: the finished command, and the adapter's reading of the answer (None
    when the station answered with a CALLERROR)."""

    command: Command
    answer: T | None

    @property
    def status(self) -> str:
        return self.command.result_status


def send(*, station_id: int, request: Request, caller: Caller = SYSTEM) -> Outcome[Any]:
    """Build `request` for the station's version, send it and wait for the answer.

    Raises CommandInvalid (nothing sent), StationNotConnected, CommandTimeout like `bus.send`.
    """
    adapter = adapter_of(station_id)
    message = adapter.build(request)
    command = bus.send(
        station_id=station_id, action=message.action, payload=message.payload, caller=caller
    )
    answer = None
    if command.state == Command.State.ANSWERED:
        answer = adapter.read(request, command.response or {})
    return Outcome(command, answer)


def dispatch(*, station_id: int, request: Request, caller: Caller = SYSTEM) -> Command:
    """Build `request` and send it without waiting (`bus.dispatch`)."""
    message = adapter_of(station_id).build(request)
    return bus.dispatch(
        station_id=station_id, action=message.action, payload=message.payload, caller=caller
    )
