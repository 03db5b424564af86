"""Payments started off the station, told to an OCPP 2.1 station (C25).

A version without web payments is refused by its adapter (CommandInvalid, nothing sent).
"""

from __future__ import annotations

from stations.models import Command
from stations.services.charging import requests
from stations.services.commands import outbound
from stations.services.commands.bus import SYSTEM, Caller
from stations.services.commands.remote import StatusResult


def notify_web_payment_started(
    *, station_id: int, evse_id: int, timeout: int, caller: Caller = SYSTEM
) -> StatusResult:
    """Tell the station a driver started paying on the web for `evse_id` (QR code, C25);
    no result is to be expected after `timeout` seconds.

    The answer has no status: it is "Accepted" when the station answered at all.
    """
    request = requests.NotifyWebPaymentStarted(evse_id=evse_id, timeout=timeout)
    command = outbound.send(station_id=station_id, request=request, caller=caller).command
    status = "Accepted" if command.state == Command.State.ANSWERED else ""
    return StatusResult(command, status)
