"""Domain errors of the stations app, with a message people can read."""

from __future__ import annotations

from typing import Any


class CommandError(Exception):
    def __init__(self, message: str, *, command: Any = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.command = command
        self.field = field


class StationNotConnected(CommandError):
    """The station holds no connection to any server process right now."""


class StationUnreachable(StationNotConnected):
    """The server process holding the station's socket could not be reached (the channel
    layer, Redis, is unavailable): nothing was sent. A StationNotConnected for the callers to
    whom only "not reachable now" matters."""


class CommandTimeout(CommandError):
    """The station did not answer within the response timeout."""


class CommandInvalid(CommandError):
    """The payload breaks the station's OCPP version's schema: nothing was sent."""


class StationAlreadyRegistered(Exception):
    """Another station already has this id."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
