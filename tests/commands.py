"""Helpers for driving the command services against an offline station."""

from __future__ import annotations

import pytest

from stations.exceptions import StationNotConnected
from stations.models import Command


def sent(call, **kwargs) -> Command:
    """The command a service records for an offline station.

    The bus validates the payload against the station's schema, records the command and raises
    StationNotConnected: the recorded command shows exactly what would have been sent.
    """
    with pytest.raises(StationNotConnected) as offline:
        call(**kwargs)
    command = offline.value.command
    assert command.state == Command.State.OFFLINE
    return command
