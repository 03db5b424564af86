"""What the OCPP 2.1-only services of other areas still share (DER control, periodic event
streams): the version gate and the status reading.

Going away (issue 12): the 2.1 commands that lived here are requests now (battery swaps and
web payments in `charging.requests`, the energy ones in `charging.energy_requests`, their
services in `charging.battery_swap`, `charging.payments` and `charging.energy_transfer`), and
the gate is the 2.1 adapter's refusal (`stations/ocpp/v21/outbound/adapter.py`). Kept until
the merge for `smart_charging.der_control` and `device.event_streams`.
"""

from __future__ import annotations

from stations.exceptions import CommandInvalid
from stations.models import Command
from stations.services.commands import bus
from stations.services.commands.adapters import Message, station_version
from stations.services.commands.bus import Caller
from stations.services.commands.remote import StatusResult as StatusResult

V21 = "2.1"

V21_ONLY = "{action} is an OCPP 2.1 message; this station speaks OCPP {version}."


def require_v21(station_id: int, action: str) -> None:
    """Raise CommandInvalid, before anything is sent, unless the station speaks OCPP 2.1."""
    version = station_version(station_id)
    if version != V21:
        raise CommandInvalid(V21_ONLY.format(action=action, version=version))


def send_v21(station_id: int, message: Message, caller: Caller) -> Command:
    require_v21(station_id, message.action)
    return bus.send(
        station_id=station_id, action=message.action, payload=message.payload, caller=caller
    )


def status_of(command: Command) -> StatusResult:
    info = (command.response or {}).get("statusInfo") or {}
    return StatusResult(
        command,
        command.result_status,
        info.get("reasonCode", ""),
        info.get("additionalInfo", ""),
    )
